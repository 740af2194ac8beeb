package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Path;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.ListVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Mask files whose rows break the rules, made by editing a valid file with plain Arrow. */
class MaskFileReaderTest {
    @TempDir
    Path dir;
    BufferAllocator allocator;
    Path valid;

    @BeforeEach
    void writeAValidFile() throws IOException {
        allocator = new RootAllocator(64L << 20);
        valid = dir.resolve("mask.arrow");
        MaskFileWriterTest.write(valid, MaskFileWriterTest.randomMask(1, 0.3), allocator);
    }

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
        allocator.close();
    }

    private void readAll(Path file) throws IOException {
        try (MaskFileReader reader = MaskFileReader.open(file, allocator)) {
            while (reader.nextTensor() != null) {
                // every row is checked on the way
            }
        }
    }

    /** Edits the first row holding indices of tensor 0 ("wte"). */
    private Path withFirstIndexRow(String name, java.util.function.BiConsumer<IntVector, int[]> edit) throws IOException {
        Path target = dir.resolve(name);
        boolean[] done = {false};
        ArrowTestFiles.rewrite(valid, target, m -> m, f -> f, root -> {
            ListVector values = (ListVector) root.getVector("values");
            IntVector array = (IntVector) root.getVector("array");
            for (int r = 0; r < root.getRowCount() && !done[0]; r++) {
                if (array.get(r) == MaskArray.INDICES.ordinal()) {
                    edit.accept((IntVector) values.getDataVector(), new int[] {values.getElementStartIndex(r), values.getElementEndIndex(r)});
                    done[0] = true;
                }
            }
        }, allocator);
        return target;
    }

    @Test
    void unsortedIndicesAreReported() throws IOException {
        Path file = withFirstIndexRow("unsorted.arrow", (data, range) -> {
            int a = data.get(range[0]);
            data.set(range[0], data.get(range[0] + 1));
            data.set(range[0] + 1, a);
        });
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("unsorted.arrow: record batch 0 row 0: tensor wte: index")
                .hasMessageContaining("; indices must be strictly ascending; the file is damaged or was not written by RL Casino: produce it again with casino mask");
    }

    @Test
    void outOfRangeIndicesAreReported() throws IOException {
        Path file = withFirstIndexRow("range.arrow", (data, range) -> data.set(range[0], -5));
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("tensor wte: index -5 at position 0 is out of range [0, 1200)");
    }

    @Test
    void keptCountsMustMatchTheFooter() throws IOException {
        Path file = dir.resolve("kept.arrow");
        ArrowTestFiles.rewrite(valid, file, m -> m, f -> {
            f.put(RlcasinoArrowFile.KEPT, f.get(RlcasinoArrowFile.KEPT).replace("\"frozen\":0", "\"frozen\":3"));
            return f;
        }, b -> { }, allocator);
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("tensor frozen has no index rows but the footer's rlcasino.kept says 3");
    }

    @Test
    void blocksThatDisagreeWithTheIndicesAreReported() throws IOException {
        Path file = dir.resolve("blocks.arrow");
        boolean[] done = {false};
        ArrowTestFiles.rewrite(valid, file, m -> m, f -> f, root -> {
            ListVector values = (ListVector) root.getVector("values");
            IntVector array = (IntVector) root.getVector("array");
            for (int r = 0; r < root.getRowCount() && !done[0]; r++) {
                if (array.get(r) == MaskArray.BLOCK_COLUMNS.ordinal()) {
                    IntVector data = (IntVector) values.getDataVector();
                    int first = values.getElementStartIndex(r);
                    data.set(first, data.get(first) == 0 ? 1 : 0);
                    done[0] = true;
                }
            }
        }, allocator);
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("tensor h.0.mlp.weight");
    }

    @Test
    void tieCountsInTheFooterAreChecked() throws IOException {
        Path one = dir.resolve("one.arrow");
        ArrowTestFiles.rewrite(valid, one, m -> m, f -> {
            f.put(RlcasinoArrowFile.TIED_AT_CUT, "2");
            return f;
        }, b -> { }, allocator);
        assertThatThrownBy(() -> readAll(one)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("one.arrow: metadata rlcasino.tied_at_cut/rlcasino.tied_zeros is invalid: the footer holds one of the two");
        Path bad = dir.resolve("bad.arrow");
        ArrowTestFiles.rewrite(valid, bad, m -> m, f -> {
            f.put(RlcasinoArrowFile.TIED_AT_CUT, "2");
            f.put(RlcasinoArrowFile.TIED_ZEROS, "3");
            return f;
        }, b -> { }, allocator);
        assertThatThrownBy(() -> readAll(bad)).isInstanceOf(ArrowFormatException.class)
                .hasMessageContaining("tiedZeros must be in [0, 2]");
        Path good = dir.resolve("good.arrow");
        ArrowTestFiles.rewrite(valid, good, m -> m, f -> {
            f.put(RlcasinoArrowFile.TIED_AT_CUT, "2");
            f.put(RlcasinoArrowFile.TIED_ZEROS, "0");
            return f;
        }, b -> { }, allocator);
        try (MaskFileReader reader = MaskFileReader.open(good, allocator)) {
            assertThat(reader.summary().tiedAtCut()).hasValue(2);
            assertThat(reader.summary().tiedZeros()).hasValue(0);
        }
    }

    @Test
    void aMetricTableIsNotAMask() throws IOException {
        Path metrics = dir.resolve("jaccard.arrow");
        MetricTableWriterTest.write(metrics, 3, allocator);
        assertThatThrownBy(() -> readAll(metrics)).isInstanceOf(ArrowFormatException.class)
                .hasMessage("jaccard.arrow is a rlcasino.metrics file (a metric table), not rlcasino.mask (a mask): "
                        + "pass it to pandas or any Arrow reader, or give the mask file produced by casino mask");
    }
}
