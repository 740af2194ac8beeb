package org.rlcasino.io.arrow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The BSR structure built from indices and from kept blocks, against a brute-force oracle. */
class MaskBlocksTest {
    /** Oracle: the (block row, block column) of every index, distinct, row-major; counts per block. */
    static MaskBlocks oracle(BlockShape shape, int rows, int columns, int[] indices) {
        int gridRows = (rows + shape.rows() - 1) / shape.rows();
        int gridColumns = (columns + shape.columns() - 1) / shape.columns();
        int[] counts = new int[gridRows * gridColumns];
        for (int i : indices) {
            counts[(i / columns / shape.rows()) * gridColumns + (i % columns) / shape.columns()]++;
        }
        int[] rowPointers = new int[gridRows + 1];
        List<Integer> cols = new ArrayList<>();
        List<Integer> pointers = new ArrayList<>(List.of(0));
        for (int r = 0; r < gridRows; r++) {
            for (int c = 0; c < gridColumns; c++) {
                if (counts[r * gridColumns + c] > 0) {
                    cols.add(c);
                    pointers.add(pointers.getLast() + counts[r * gridColumns + c]);
                }
            }
            rowPointers[r + 1] = cols.size();
        }
        return MaskBlocks.of(shape, rowPointers, cols.stream().mapToInt(Integer::intValue).toArray(),
                pointers.stream().mapToInt(Integer::intValue).toArray());
    }

    static int[] randomIndices(SplittableRandom rnd, int size, double density) {
        return java.util.stream.IntStream.range(0, size).filter(i -> rnd.nextDouble() < density).toArray();
    }

    @ParameterizedTest
    @CsvSource({"16, 16, 40, 70, 0.05", "1, 64, 13, 200, 0.3", "64, 1, 130, 7, 0.5", "3, 5, 1, 1, 1.0", "7, 7, 20, 9, 0.0",
            "4, 4, 33, 33, 0.9"})
    void fromIndicesEqualsTheOracleAndOrdersEntriesByBlock(int br, int bc, int rows, int columns, double density) {
        BlockShape shape = new BlockShape(br, bc);
        int[] indices = randomIndices(new SplittableRandom(rows * 31L + columns), rows * columns, density);
        MaskBlocks blocks = MaskBlocks.ofIndices(shape, rows, columns, indices);
        assertThat(blocks).isEqualTo(oracle(shape, rows, columns, indices));
        int[] entries = blocks.entriesInBlockOrder(indices, columns);
        assertThat(entries).containsExactlyInAnyOrder(indices);
        int[] pointers = blocks.entryPointers();
        int[] blockColumns = blocks.blockColumns();
        int[] rowPointers = blocks.blockRowPointers();
        for (int r = 0; r + 1 < rowPointers.length; r++) {
            for (int b = rowPointers[r]; b < rowPointers[r + 1]; b++) {
                int[] inBlock = Arrays.copyOfRange(entries, pointers[b], pointers[b + 1]);
                assertThat(inBlock).isSorted();
                for (int i : inBlock) {
                    assertThat(i / columns / br).isEqualTo(r);
                    assertThat(i % columns / bc).isEqualTo(blockColumns[b]);
                }
            }
        }
    }

    @Test
    void keptBlocksHoldTheirClippedArea() {
        BlockShape shape = new BlockShape(4, 8);
        // 10 x 20 matrix: a 3 x 3 grid, last block row 2 high, last block column 4 wide
        boolean[] keep = {true, false, true, false, false, false, false, true, true};
        MaskBlocks blocks = MaskBlocks.ofKeptBlocks(shape, 10, 20, keep);
        assertThat(blocks.blockRowPointers()).containsExactly(0, 2, 2, 4);
        assertThat(blocks.blockColumns()).containsExactly(0, 2, 1, 2);
        assertThat(blocks.entryPointers()).containsExactly(0, 32, 48, 64, 72);
        int[] all = java.util.stream.IntStream.range(0, 200)
                .filter(i -> keep[(i / 20 / 4) * 3 + (i % 20) / 8]).toArray();
        assertThat(MaskBlocks.ofIndices(shape, 10, 20, all)).isEqualTo(blocks);
        assertThatThrownBy(() -> MaskBlocks.ofKeptBlocks(shape, 10, 20, new boolean[8]))
                .hasMessageContaining("3x3");
    }

    @Test
    void entriesThatDoNotMatchTheStructureAreRefused() {
        BlockShape shape = new BlockShape(2, 2);
        MaskBlocks blocks = MaskBlocks.ofIndices(shape, 4, 4, new int[] {0, 5});
        assertThatThrownBy(() -> blocks.entriesInBlockOrder(new int[] {0, 15}, 4)).hasMessageContaining("index 15");
        assertThatThrownBy(() -> blocks.entriesInBlockOrder(new int[] {0}, 4)).hasMessageContaining("holds 2 entries");
    }
}
