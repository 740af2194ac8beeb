package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.TreeMap;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskFileWriterTest {
    @TempDir
    Path dir;
    BufferAllocator allocator;

    static final TensorTable TENSORS = TensorTable.of(
            TensorInfo.f32("wte", 40, 30),
            TensorInfo.f32("frozen", 5, 5),
            TensorInfo.f32("h.0.mlp.weight", 33, 50),
            TensorInfo.f32("h.0.mlp.bias", 50),
            TensorInfo.f32("h.1.attn.weight", 2, 3, 20));
    static final BlockShape BLOCK = new BlockShape(8, 16);
    static final MaskFileInfo INFO = MaskFileInfo.of("global-topk", 0.9, OptionalDouble.of(0.125), Map.of("seed", "7"))
            .withBlockShapes(Map.of("h.0.mlp.weight", BLOCK, "h.1.attn.weight", new BlockShape(1, 64)));
    static final Batching BATCHING = new Batching(32, 128);

    @BeforeEach
    void openAllocator() {
        allocator = new RootAllocator(64L << 20);
    }

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).as("leaked Arrow memory").isZero();
        allocator.close();
    }

    /** Random sorted indices per tensor at about {@code density}; the "frozen" tensor gets none. */
    static int[][] randomMask(long seed, double density) {
        Random random = new Random(seed);
        int[][] mask = new int[TENSORS.size()][];
        for (int t = 0; t < TENSORS.size(); t++) {
            List<Integer> kept = new ArrayList<>();
            for (int i = 0; i < TENSORS.get(t).size(); i++) {
                if (!TENSORS.get(t).name().equals("frozen") && random.nextDouble() < density) {
                    kept.add(i);
                }
            }
            mask[t] = kept.stream().mapToInt(Integer::intValue).toArray();
        }
        return mask;
    }

    /** Test oracle for the block structure: group the sorted indices by (block row, block column). */
    static MaskBlocks blocksOf(TensorInfo tensor, BlockShape shape, int[] indices) {
        long columns = tensor.matrixColumns();
        int blockRows = (int) ((tensor.matrixRows() + shape.rows() - 1) / shape.rows());
        TreeMap<Long, Integer> counts = new TreeMap<>();
        long blockColumnCount = (columns + shape.columns() - 1) / shape.columns();
        for (int i : indices) {
            long key = (i / columns / shape.rows()) * blockColumnCount + (i % columns) / shape.columns();
            counts.merge(key, 1, Integer::sum);
        }
        int[] rowPointers = new int[blockRows + 1];
        int[] blockColumns = new int[counts.size()];
        int[] entryPointers = new int[counts.size() + 1];
        int b = 0;
        for (Map.Entry<Long, Integer> e : counts.entrySet()) {
            rowPointers[(int) (e.getKey() / blockColumnCount) + 1]++;
            blockColumns[b] = (int) (e.getKey() % blockColumnCount);
            entryPointers[b + 1] = entryPointers[b] + e.getValue();
            b++;
        }
        for (int r = 0; r < blockRows; r++) {
            rowPointers[r + 1] += rowPointers[r];
        }
        return MaskBlocks.of(shape, rowPointers, blockColumns, entryPointers);
    }

    static MaskSummary write(Path file, int[][] mask, BufferAllocator allocator) throws IOException {
        Random random = new Random(3);
        try (MaskFileWriter writer = MaskFileWriter.create(file, TENSORS, INFO, Map.of("scores", "scores.arrow"), BATCHING, allocator)) {
            for (int t = 0; t < TENSORS.size(); t++) {
                TensorInfo tensor = TENSORS.get(t);
                BlockShape shape = INFO.blockShapes().get(tensor.name());
                if (shape != null) {
                    writer.writeBlocks(tensor.name(), blocksOf(tensor, shape, mask[t]));
                }
                for (int from = 0; from < mask[t].length; ) {
                    int count = Math.min(mask[t].length - from, 1 + random.nextInt(70));
                    writer.writeIndices(tensor.name(), mask[t], from, count);
                    from += count;
                }
            }
            return writer.finish();
        }
    }

    @Test
    void roundTripsIndicesBlocksAndMetadataByTensor() throws IOException {
        int[][] mask = randomMask(1, 0.2);
        Path file = dir.resolve("mask.arrow");
        MaskSummary summary = write(file, mask, allocator);
        long total = 0;
        for (int t = 0; t < TENSORS.size(); t++) {
            assertThat(summary.kept()).containsEntry(TENSORS.get(t).name(), (long) mask[t].length);
            total += mask[t].length;
        }
        assertThat(summary.achievedSparsity()).isEqualTo(1.0 - (double) total / TENSORS.totalElements());
        try (MaskFileReader reader = MaskFileReader.open(file, allocator)) {
            assertThat(reader.info()).isEqualTo(INFO);
            assertThat(reader.summary()).isEqualTo(summary);
            assertThat(reader.provenance()).isEqualTo(Map.of("scores", "scores.arrow"));
            assertThat(reader.tensors()).isEqualTo(TENSORS);
            for (int t = 0; t < TENSORS.size(); t++) {
                MaskTensor tensor = reader.nextTensor();
                assertThat(tensor.index()).isEqualTo(t);
                assertThat(tensor.indices()).as(TENSORS.get(t).name()).isEqualTo(mask[t]);
                BlockShape shape = INFO.blockShapes().get(TENSORS.get(t).name());
                assertThat(tensor.blocks()).isEqualTo(shape == null ? null : blocksOf(TENSORS.get(t), shape, mask[t]));
            }
            assertThat(reader.nextTensor()).isNull();
        }
    }

    @Test
    void streamsIndicesChunkByChunk() throws IOException {
        int[][] mask = randomMask(2, 0.5);
        Path file = dir.resolve("mask.arrow");
        write(file, mask, allocator);
        int[][] read = new int[TENSORS.size()][];
        for (int t = 0; t < TENSORS.size(); t++) {
            read[t] = new int[mask[t].length];
        }
        try (MaskFileReader reader = MaskFileReader.open(file, allocator)) {
            while (reader.nextChunk()) {
                assertThat(reader.length()).isBetween(1, BATCHING.chunkElements());
                reader.readIndices(read[reader.tensorIndex()], (int) reader.offset());
                assertThat(reader.index(0)).isEqualTo(mask[reader.tensorIndex()][(int) reader.offset()]);
                assertThat(reader.blocks() == null).isEqualTo(!INFO.blockShapes().containsKey(reader.tensor().name()));
            }
        }
        assertThat(read).isDeepEqualTo(mask);
    }

    @Test
    void emptyAndFullMasks() throws IOException {
        for (double density : new double[] {0.0, 1.0}) {
            int[][] mask = randomMask(3, density);
            Path file = dir.resolve("mask" + density + ".arrow");
            MaskSummary summary = write(file, mask, allocator);
            try (MaskFileReader reader = MaskFileReader.open(file, allocator)) {
                for (int[] expected : mask) {
                    assertThat(reader.nextTensor().indices()).isEqualTo(expected);
                }
                assertThat(reader.nextTensor()).isNull();
            }
            assertThat(summary.achievedSparsity()).isCloseTo(density == 0 ? 1.0 : 25.0 / TENSORS.totalElements(), org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void misuseIsRejectedBeforeAnythingIsWritten() throws IOException {
        Path file = dir.resolve("mask.arrow");
        try (MaskFileWriter writer = MaskFileWriter.create(file, TENSORS, INFO, Map.of(), BATCHING, allocator)) {
            assertThatThrownBy(() -> writer.writeIndices("wte", new int[] {1, 5, 3}, 0, 3)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("tensor wte: mask indices must be strictly ascending, but index 3 follows 5");
            assertThatThrownBy(() -> writer.writeIndices("wte", new int[] {1, 1}, 0, 2))
                    .hasMessage("tensor wte: mask indices must be strictly ascending, but index 1 is repeated");
            assertThatThrownBy(() -> writer.writeIndices("wte", new int[] {1200}, 0, 1))
                    .hasMessage("tensor wte: mask index 1200 is out of range [0, 1200)");
            writer.writeIndices("wte", new int[] {4, 9}, 0, 2);
            assertThatThrownBy(() -> writer.writeIndices("wte", new int[] {9}, 0, 1))
                    .hasMessage("tensor wte: mask indices must be strictly ascending, but index 9 is repeated");
            assertThatThrownBy(() -> writer.writeIndices("h.0.mlp.weight", new int[] {0}, 0, 1))
                    .hasMessageContaining("tensor h.0.mlp.weight was declared with blocks 8x16: write its blocks (writeBlocks) before its indices");
            assertThatThrownBy(() -> writer.writeBlocks("h.0.mlp.bias", MaskBlocks.of(BLOCK, new int[] {0, 0}, new int[0], new int[] {0})))
                    .hasMessageContaining("tensor h.0.mlp.bias has no block shape in MaskFileInfo.blockShapes");
            assertThatThrownBy(() -> writer.writeBlocks("h.0.mlp.weight", MaskBlocks.of(new BlockShape(16, 16), new int[] {0}, new int[0], new int[] {0})))
                    .hasMessage("tensor h.0.mlp.weight: blocks are 16x16 but 8x16 was declared");
            assertThatThrownBy(() -> writer.writeBlocks("h.0.mlp.weight", MaskBlocks.of(BLOCK, new int[] {0, 1, 1, 1}, new int[] {0}, new int[] {0, 2})))
                    .hasMessage("tensor h.0.mlp.weight (matrix view 33x50, blocks 8x16): block_row_pointers must hold 6 values, got 4");
            assertThatThrownBy(() -> writer.writeBlocks("h.0.mlp.weight", MaskBlocks.of(BLOCK, new int[] {0, 2, 2, 2, 2, 2}, new int[] {1, 1}, new int[] {0, 1, 2})))
                    .hasMessageContaining("block_columns must be strictly ascending within block row 0, but 1 follows 1 at block 1");
            assertThatThrownBy(() -> writer.writeBlocks("h.0.mlp.weight", MaskBlocks.of(BLOCK, new int[] {0, 1, 1, 1, 1, 1}, new int[] {4}, new int[] {0, 1})))
                    .hasMessageContaining("block column 4 of block 0 is outside [0, 4)");
            // one block: block row 0, block column 1 = rows 0-7, columns 16-31, holding two entries
            writer.writeBlocks("h.0.mlp.weight", MaskBlocks.of(BLOCK, new int[] {0, 1, 1, 1, 1, 1}, new int[] {1}, new int[] {0, 2}));
            assertThatThrownBy(() -> writer.writeIndices("h.0.mlp.weight", new int[] {15}, 0, 1))
                    .hasMessage("tensor h.0.mlp.weight: mask index 15 (row 0, column 15) lies in no active block of the structure written for it");
            writer.writeIndices("h.0.mlp.weight", new int[] {16}, 0, 1);
            assertThatThrownBy(() -> writer.writeIndices("h.0.mlp.bias", new int[] {0}, 0, 1))
                    .hasMessage("tensor h.0.mlp.weight: block 0 (block row 0, block column 1) holds 1 of the indices, but entry_pointers gives it 2");
            writer.writeIndices("h.0.mlp.weight", new int[] {50 * 7 + 31}, 0, 1);
            assertThatThrownBy(() -> writer.writeIndices("wte", new int[] {100}, 0, 1))
                    .hasMessage("tensor wte comes after tensor h.0.mlp.weight: tensors must come in tensor-table order");
            assertThatThrownBy(writer::finish)
                    .hasMessageContaining("tensor h.1.attn.weight was declared with blocks 1x64");
            writer.writeBlocks("h.1.attn.weight", MaskBlocks.empty(new BlockShape(1, 64), TENSORS.get(4)));
            MaskSummary summary = writer.finish();
            assertThat(summary.kept()).containsExactly(Map.entry("wte", 2L), Map.entry("frozen", 0L), Map.entry("h.0.mlp.weight", 2L),
                    Map.entry("h.0.mlp.bias", 0L), Map.entry("h.1.attn.weight", 0L));
        }
        try (MaskFileReader reader = MaskFileReader.open(file, allocator)) {
            assertThat(reader.nextTensor().indices()).containsExactly(4, 9);
            assertThat(reader.nextTensor().indices()).isEmpty();
            MaskTensor blocked = reader.nextTensor();
            assertThat(blocked.indices()).containsExactly(16, 381);
            assertThat(blocked.blocks().blockColumns()).containsExactly(1);
            assertThat(reader.nextTensor().blocks()).isNull();
            MaskTensor empty = reader.nextTensor();
            assertThat(empty.indices()).isEmpty();
            assertThat(empty.blocks().blockRowPointers()).containsExactly(0, 0, 0);   // 2 block rows of 1x64 over the 2x60 view
            assertThat(reader.nextTensor()).isNull();
        }
        assertThatThrownBy(() -> MaskFileWriter.create(dir.resolve("huge.arrow"), TensorTable.of(TensorInfo.f32("emb", 1L << 20, 1L << 12)),
                INFO.withBlockShapes(Map.of()), Map.of(), BATCHING, allocator))
                .hasMessageContaining("tensor emb has 4294967296 elements, but mask files hold int32 flat indices");
        assertThat(ArrowTestFiles.filesIn(dir)).containsExactly(file);
    }

    @Test
    void tieCountsRoundTripThroughTheFooterAndAreOptional() throws IOException {
        int[][] mask = randomMask(2, 0.1);
        Path without = dir.resolve("without.arrow");
        MaskSummary plain = write(without, mask, allocator);
        assertThat(plain.tiedAtCut()).isEmpty();
        assertThat(plain.tiedZeros()).isEmpty();
        Path with = dir.resolve("with.arrow");
        MaskSummary summary;
        try (MaskFileWriter writer = MaskFileWriter.create(with, TENSORS, MaskFileInfo.of("global-topk", 0.9, OptionalDouble.empty(),
                Map.of()), Map.of(), BATCHING, allocator)) {
            writer.writeIndices("wte", new int[] {3, 8, 9}, 0, 3);
            writer.recordTies(2, 1);
            summary = writer.finish();
        }
        assertThat(summary.tiedAtCut()).hasValue(2);
        assertThat(summary.tiedZeros()).hasValue(1);
        try (MaskFileReader reader = MaskFileReader.open(with, allocator)) {
            assertThat(reader.summary()).isEqualTo(summary);
        }
        try (MaskFileReader reader = MaskFileReader.open(without, allocator)) {
            assertThat(reader.summary().tiedAtCut()).isEmpty();
        }
    }

    @Test
    void tieCountsAreValidated() throws IOException {
        Path file = dir.resolve("ties.arrow");
        try (MaskFileWriter writer = MaskFileWriter.create(file, TENSORS, MaskFileInfo.of("global-topk", 0.9, OptionalDouble.empty(),
                Map.of()), Map.of(), BATCHING, allocator)) {
            assertThatThrownBy(() -> writer.recordTies(2, 3)).hasMessageContaining("0 <= tiedZeros <= tiedAtCut");
            assertThatThrownBy(() -> writer.recordTies(-1, 0)).isInstanceOf(IllegalArgumentException.class);
            writer.writeIndices("wte", new int[] {3}, 0, 1);
            writer.recordTies(2, 0);
            assertThatThrownBy(writer::finish).hasMessage("tiedAtCut must be in [0, 1] (the kept entries), got 2");
        }
        assertThat(ArrowTestFiles.filesIn(dir)).isEmpty();
    }

    @Test
    void infoIsValidated() {
        assertThatThrownBy(() -> MaskFileInfo.of("random", 1.5, OptionalDouble.empty(), Map.of()))
                .hasMessage("targetSparsity must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> MaskFileInfo.of("random", 0.5, OptionalDouble.of(Double.NaN), Map.of()))
                .hasMessage("threshold must be finite, got NaN");
        assertThatThrownBy(() -> new BlockShape(0, 4)).hasMessage("block shape must be at least 1x1, got 0x4");
        assertThat(Arrays.asList(MaskArray.values())).extracting(MaskArray::columnValue)
                .containsExactly("block_row_pointers", "block_columns", "entry_pointers", "indices");
    }
}
