package org.rlcasino.tokenizers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding as Hugging Face's {@code BPE} model: a pre-token starts as one symbol per code
 * point (with {@code continuing_subword_prefix} before every symbol but the first and
 * {@code end_of_word_suffix} after the last); a code point outside the vocabulary becomes its byte
 * tokens {@code <0xAB>} ({@code byte_fallback}), else the unknown token (consecutive ones fused into
 * one with {@code fuse_unk}), else nothing. Then, repeatedly, the adjacent pair with the lowest merge
 * rank (leftmost among equals) is merged, until no adjacent pair has a merge. With
 * {@code ignore_merges}, a pre-token that is itself in the vocabulary is that one token.
 *
 * <p>Merging runs on a linked list of symbols with a min-heap of (rank, position) keys; merges are
 * found in an open-addressing map from the pair of ids (one {@code long}) to the rank, and the
 * merged id of a rank in an array, so a merge costs a few array reads and no string work. Encoded
 * pre-tokens are cached (thread-safe; cleared when it reaches {@value #CACHE_LIMIT} entries).
 */
final class BpeModel implements Model {
    static final int CACHE_LIMIT = 1 << 18;
    /** Longer pre-tokens are not cached (Hugging Face's limit too). */
    private static final int CACHE_MAX_LENGTH = 256;

    private final Map<String, Integer> vocab;
    private final String[] tokens;
    /** Id of each single-char BMP token, or -1 (used when there is no prefix or suffix). */
    private final int[] charIds = new int[0x10000];
    /** Id of each byte token {@code <0xAB>}, or -1. */
    private final int[] byteIds = new int[256];
    private final PairRanks ranks;
    /** The id a merge of each rank produces. */
    private final int[] mergedIds;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    private final String prefix;
    private final String suffix;
    private final boolean plain;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param merges the merges in rank order, each the pair of tokens; a pair listed twice keeps the
     *               later rank, as Hugging Face's map does
     * @param unkToken may be null; prefix and suffix may be null or empty
     */
    BpeModel(Map<String, Integer> vocab, List<String[]> merges, String unkToken, boolean fuseUnk, boolean byteFallback,
             boolean ignoreMerges, String prefix, String suffix) {
        this.vocab = vocab;
        this.tokens = inverse(vocab);
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        this.prefix = prefix == null ? "" : prefix;
        this.suffix = suffix == null ? "" : suffix;
        this.plain = this.prefix.isEmpty() && this.suffix.isEmpty();
        Integer unk = unkToken == null ? null : vocab.get(unkToken);
        if (unkToken != null && unk == null) {
            throw new IllegalArgumentException("model.unk_token '" + unkToken + "' is not in model.vocab");
        }
        this.unkId = unk == null ? -1 : unk;
        Arrays.fill(charIds, -1);
        Arrays.fill(byteIds, -1);
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            String t = e.getKey();
            if (t.length() == 1 && !Character.isSurrogate(t.charAt(0))) {
                charIds[t.charAt(0)] = e.getValue();
            }
        }
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.format("<0x%02X>", b));
            byteIds[b] = id == null ? -1 : id;
        }
        this.ranks = new PairRanks(merges.size());
        this.mergedIds = new int[merges.size()];
        for (int r = 0; r < merges.size(); r++) {
            String a = merges.get(r)[0];
            String b = merges.get(r)[1];
            Integer ia = vocab.get(a);
            Integer ib = vocab.get(b);
            if (ia == null || ib == null) {
                throw new IllegalArgumentException("model.merges[" + r + "] ('" + a + "' '" + b + "'): '"
                        + (ia == null ? a : b) + "' is not in model.vocab");
            }
            String merged = a + (b.length() >= this.prefix.length() ? b.substring(this.prefix.length()) : b);
            Integer im = vocab.get(merged);
            if (im == null) {
                throw new IllegalArgumentException("model.merges[" + r + "] ('" + a + "' '" + b + "'): the merged token '"
                        + merged + "' is not in model.vocab");
            }
            ranks.put(pair(ia, ib), r);
            mergedIds[r] = im;
        }
    }

    static String[] inverse(Map<String, Integer> vocab) {
        int size = 0;
        for (int id : vocab.values()) {
            if (id < 0) {
                throw new IllegalArgumentException("model.vocab has a negative id " + id);
            }
            size = Math.max(size, id + 1);
        }
        String[] tokens = new String[size];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            tokens[e.getValue()] = e.getKey();
        }
        return tokens;
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    @Override
    public void tokenize(String preToken, IdBuffer out) {
        if (ignoreMerges) {
            Integer id = vocab.get(preToken);
            if (id != null) {
                out.add(id);
                return;
            }
        }
        int[] ids = cache.get(preToken);
        if (ids == null) {
            ids = merge(preToken);
            if (preToken.length() < CACHE_MAX_LENGTH) {
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear();
                }
                cache.put(preToken, ids);
            }
        }
        out.addAll(ids);
    }

    /** The ids of {@code word}: initial symbols, then merges in rank order. */
    int[] merge(String word) {
        int n = word.length();
        int[] sym = new int[Math.max(4 * n, 4)]; // a code point may become 4 byte tokens
        int count = 0;
        int pendingUnk = 0; // 1 while an unknown token is waiting to be added (to fuse the next into it)
        for (int i = 0; i < n; ) {
            int cp = word.codePointAt(i);
            int next = i + Character.charCount(cp);
            int id;
            String s = null;
            if (plain && cp < 0x10000) {
                id = charIds[cp];
            } else {
                s = (i > 0 ? prefix : "") + word.substring(i, next) + (next == n ? suffix : "");
                Integer v = vocab.get(s);
                id = v == null ? -1 : v;
            }
            i = next;
            if (id >= 0) {
                if (pendingUnk > 0) {
                    sym[count++] = unkId;
                    pendingUnk = 0;
                }
                sym[count++] = id;
                continue;
            }
            if (byteFallback) {
                byte[] bytes = (s != null ? s : new String(Character.toChars(cp))).getBytes(StandardCharsets.UTF_8);
                boolean all = true;
                for (byte b : bytes) {
                    all &= byteIds[b & 0xFF] >= 0;
                }
                if (all) {
                    if (count + bytes.length > sym.length) {
                        sym = Arrays.copyOf(sym, 2 * sym.length + bytes.length);
                    }
                    for (byte b : bytes) {
                        sym[count++] = byteIds[b & 0xFF];
                    }
                    continue; // a waiting unknown token stays waiting, as in Hugging Face
                }
            }
            if (unkId >= 0) {
                if (pendingUnk > 0 && !fuseUnk) {
                    sym[count++] = unkId;
                }
                pendingUnk = 1;
            }
        }
        if (pendingUnk > 0) {
            sym[count++] = unkId;
        }
        return mergeAll(sym, count);
    }

    private int[] mergeAll(int[] sym, int count) {
        if (count < 2) {
            return Arrays.copyOf(sym, count);
        }
        int[] prev = new int[count];
        int[] next = new int[count];
        boolean[] gone = new boolean[count];
        long[] heap = new long[2 * count];
        int heapSize = 0;
        for (int p = 0; p < count; p++) {
            prev[p] = p - 1;
            next[p] = p + 1 < count ? p + 1 : -1;
        }
        for (int p = 0; p + 1 < count; p++) {
            int r = ranks.get(pair(sym[p], sym[p + 1]));
            if (r >= 0) {
                heapSize = push(heap, heapSize, ((long) r << 32) | p);
                heap = grow(heap, heapSize);
            }
        }
        int alive = count;
        while (heapSize > 0) {
            long top = heap[0];
            heapSize = pop(heap, heapSize);
            int rank = (int) (top >>> 32);
            int p = (int) top;
            if (gone[p] || next[p] < 0) {
                continue;
            }
            int q = next[p];
            // a stale entry: the pair at p changed since it was queued (Hugging Face compares the merged id)
            int current = ranks.get(pair(sym[p], sym[q]));
            if (current < 0 || mergedIds[current] != mergedIds[rank]) {
                continue;
            }
            sym[p] = mergedIds[rank];
            gone[q] = true;
            alive--;
            next[p] = next[q];
            if (next[q] >= 0) {
                prev[next[q]] = p;
            }
            if (prev[p] >= 0) {
                int r = ranks.get(pair(sym[prev[p]], sym[p]));
                if (r >= 0) {
                    heap = grow(heap, heapSize + 1);
                    heapSize = push(heap, heapSize, ((long) r << 32) | prev[p]);
                }
            }
            if (next[p] >= 0) {
                int r = ranks.get(pair(sym[p], sym[next[p]]));
                if (r >= 0) {
                    heap = grow(heap, heapSize + 1);
                    heapSize = push(heap, heapSize, ((long) r << 32) | p);
                }
            }
        }
        int[] out = new int[alive];
        int k = 0;
        for (int p = 0; p >= 0; p = next[p]) {
            out[k++] = sym[p];
        }
        return out;
    }

    private static long[] grow(long[] heap, int needed) {
        return needed < heap.length ? heap : Arrays.copyOf(heap, 2 * heap.length + 1);
    }

    private static int push(long[] heap, int size, long key) {
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= key) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = key;
        return size + 1;
    }

    private static int pop(long[] heap, int size) {
        long last = heap[--size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= last) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (size > 0) {
            heap[i] = last;
        }
        return size;
    }

    @Override
    public int tokenId(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    @Override
    public int size() {
        return vocab.size();
    }

    @Override
    public int idLimit() {
        return tokens.length;
    }

    /** Merge ranks by pair of ids: open addressing with linear probing; -1 marks an empty slot (no pair of ids ≥ 0 is -1). */
    private static final class PairRanks {
        private final long[] keys;
        private final int[] values;
        private final int mask;

        PairRanks(int expected) {
            int capacity = Integer.highestOneBit(Math.max(4, 2 * expected) - 1) << 1;
            keys = new long[capacity];
            values = new int[capacity];
            mask = capacity - 1;
            Arrays.fill(keys, -1L);
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }

        void put(long key, int value) {
            int i = slot(key);
            while (keys[i] != -1L && keys[i] != key) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            values[i] = value;
        }

        int get(long key) {
            int i = slot(key);
            while (true) {
                long k = keys[i];
                if (k == key) {
                    return values[i];
                }
                if (k == -1L) {
                    return -1;
                }
                i = (i + 1) & mask;
            }
        }
    }
}
