package org.rlcasino.tokenizers;

import java.util.List;

/**
 * A tokenizer.json {@code post_processor}: adds the special tokens around the ids of one text when
 * encode asks for special tokens (pairs of texts are not supported).
 */
sealed interface PostProcessor {
    /** {@code ids} with the special tokens added if {@code addSpecialTokens}. */
    int[] process(int[] ids, boolean addSpecialTokens);

    /** The template's {@code single} items: special tokens' ids and the sequence ({@code $A}) in order. */
    record Template(List<int[]> items) implements PostProcessor {
        /** The item that stands for the sequence's ids. */
        static final int[] SEQUENCE = new int[0];

        public Template {
            items = List.copyOf(items);
        }

        @Override
        public int[] process(int[] ids, boolean addSpecialTokens) {
            if (!addSpecialTokens) {
                return ids;
            }
            IdBuffer out = new IdBuffer();
            for (int[] item : items) {
                out.addAll(item == SEQUENCE ? ids : item);
            }
            return out.toArray();
        }
    }

    /** RobertaProcessing and BertProcessing for one text: {@code cls} ids {@code sep}. */
    record ClsSep(int cls, int sep) implements PostProcessor {
        @Override
        public int[] process(int[] ids, boolean addSpecialTokens) {
            if (!addSpecialTokens) {
                return ids;
            }
            int[] out = new int[ids.length + 2];
            out[0] = cls;
            System.arraycopy(ids, 0, out, 1, ids.length);
            out[ids.length + 1] = sep;
            return out;
        }
    }

    /** ByteLevel's post-processor, which changes only offsets: the ids as they are. */
    record Identity() implements PostProcessor {
        @Override
        public int[] process(int[] ids, boolean addSpecialTokens) {
            return ids;
        }
    }

    /** The post-processors applied in order. */
    record Sequence(List<PostProcessor> processors) implements PostProcessor {
        public Sequence {
            processors = List.copyOf(processors);
        }

        @Override
        public int[] process(int[] ids, boolean addSpecialTokens) {
            for (PostProcessor p : processors) {
                ids = p.process(ids, addSpecialTokens);
            }
            return ids;
        }
    }
}
