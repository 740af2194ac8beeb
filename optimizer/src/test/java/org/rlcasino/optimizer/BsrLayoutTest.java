package org.rlcasino.optimizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.arrow.MaskBlocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

class BsrLayoutTest {

    /**
     * A 5x6 matrix in 2x4 blocks: 3 block rows (the last one row high) and 2 block columns (the
     * last two columns wide). Active entries, as (row, column) → flat:
     * (0,1)=1 (0,4)=4 (0,5)=5 (1,0)=6 (1,5)=11 (3,2)=20 (4,4)=28 (4,5)=29.
     */
    private static final int[] EXAMPLE = {1, 4, 5, 6, 11, 20, 28, 29};

    @Test
    void smallExampleByHand() {
        BsrLayout layout = BsrLayout.fromMask("w", 5, 6, new BlockShape(2, 4), EXAMPLE);
        assertThat(layout.rows()).isEqualTo(5);
        assertThat(layout.columns()).isEqualTo(6);
        assertThat(layout.blockShape()).isEqualTo(new BlockShape(2, 4));
        // block row 0: blocks (0,0) = {1, 6} and (0,1) = {4, 5, 11}; block row 1: (1,0) = {20}; block row 2: (2,1) = {28, 29}
        assertThat(layout.blocks().blockRowPointers()).containsExactly(0, 2, 3, 4);
        assertThat(layout.blocks().blockColumns()).containsExactly(0, 1, 0, 1);
        assertThat(layout.blocks().entryPointers()).containsExactly(0, 2, 5, 6, 8);
        assertThat(layout.entries()).containsExactly(1, 6, 4, 5, 11, 20, 28, 29);
        assertThat(layout.nnz()).isEqualTo(8);
        assertThat(layout.blocks().activeBlocks()).isEqualTo(4);
        assertThat(layout.totalBlocks()).isEqualTo(6);
        // covered entries: 2x4 + 2x2 (right edge) + 2x4 + 1x2 (bottom-right corner) = 22
        assertThat(layout.fillRatio()).isCloseTo(8.0 / 22.0, within(1e-15));
    }

    @Test
    void rowSegmentsOfTheExampleAreAscendingRuns() {
        BsrLayout layout = BsrLayout.fromMask("w", 5, 6, new BlockShape(2, 4), EXAMPLE);
        RunList runs = new RunList(1024);
        layout.appendRowSegments(runs, 100);
        // flat 104, 105 (block (0,1), row 0) and 106 (block (0,0), row 1) are contiguous in the buffer
        assertThat(runs.starts()).containsExactly(101, 104, 111, 120, 128);
        assertThat(runs.states()).containsExactly(0, 1, 4, 5, 6);
        assertThat(runs.lengths()).containsExactly(1, 3, 1, 1, 2);
        assertThat(runs.entries()).isEqualTo(8);

        RunList capped = new RunList(2);
        layout.appendRowSegments(capped, 0);
        assertThat(capped.starts()).containsExactly(1, 4, 6, 11, 20, 28);
        assertThat(capped.states()).containsExactly(0, 1, 3, 4, 5, 6);
        assertThat(capped.lengths()).containsExactly(1, 2, 1, 1, 1, 2);
    }

    @Test
    void fullMaskFillsEveryBlockIncludingClippedEdges() {
        int[] all = new int[30];
        for (int i = 0; i < 30; i++) {
            all[i] = i;
        }
        BsrLayout layout = BsrLayout.fromMask("w", 5, 6, new BlockShape(2, 4), all);
        assertThat(layout.blocks().activeBlocks()).isEqualTo(6);
        assertThat(layout.fillRatio()).isEqualTo(1.0);
        assertThat(layout.blocks().blockRowPointers()).containsExactly(0, 2, 4, 6);
        assertThat(layout.blocks().blockColumns()).containsExactly(0, 1, 0, 1, 0, 1);
        assertThat(layout.blocks().entryPointers()).containsExactly(0, 8, 12, 20, 24, 28, 30);
        assertThat(layout.entries()).containsExactly(
                0, 1, 2, 3, 6, 7, 8, 9, 4, 5, 10, 11,
                12, 13, 14, 15, 18, 19, 20, 21, 16, 17, 22, 23,
                24, 25, 26, 27, 28, 29);

        BsrLayout corner = BsrLayout.fromMask("w", 5, 6, new BlockShape(2, 4), new int[] {28, 29});
        assertThat(corner.fillRatio()).as("a full 1x2 corner block").isEqualTo(1.0);
        assertThat(corner.blocks().blockRowPointers()).containsExactly(0, 0, 0, 1);
    }

    @Test
    void emptyMaskHasNoBlocks() {
        BsrLayout layout = BsrLayout.fromMask("w", 33, 17, BlockShape.DEFAULT, new int[0]);
        assertThat(layout.blocks().activeBlocks()).isZero();
        assertThat(layout.totalBlocks()).isEqualTo(3 * 2);
        assertThat(layout.fillRatio()).isZero();
        assertThat(layout.blocks().blockRowPointers()).containsExactly(0, 0, 0, 0);
        assertThat(layout.blocks().entryPointers()).containsExactly(0);
        RunList runs = new RunList(8);
        layout.appendRowSegments(runs, 0);
        assertThat(runs.runs()).isZero();
    }

    @Test
    void oneDimensionalTensorIsOneRow() {
        BsrLayout layout = BsrLayout.fromMask("b", 1, 37, BlockShape.DEFAULT, new int[] {0, 15, 16, 36});
        assertThat(layout.blocks().blockRowPointers()).containsExactly(0, 3);
        assertThat(layout.blocks().blockColumns()).containsExactly(0, 1, 2);
        assertThat(layout.blocks().entryPointers()).containsExactly(0, 2, 3, 4);
        assertThat(layout.totalBlocks()).isEqualTo(3);
        // blocks are 1x16, 1x16 and 1x5
        assertThat(layout.fillRatio()).isCloseTo(4.0 / 37.0, within(1e-15));
    }

    @Test
    void accessorsReturnCopies() {
        BsrLayout layout = BsrLayout.fromMask("w", 5, 6, new BlockShape(2, 4), EXAMPLE);
        layout.entries()[0] = 99;
        layout.blocks().blockColumns()[0] = 99;
        layout.blocks().blockRowPointers()[0] = 99;
        layout.blocks().entryPointers()[0] = 99;
        assertThat(layout.entries()[0]).isEqualTo(1);
        assertThat(layout.blocks().blockColumns()[0]).isZero();
        assertThat(layout.blocks().blockRowPointers()[0]).isZero();
        assertThat(layout.blocks().entryPointers()[0]).isZero();
    }

    @Test
    void randomMasksGiveAConsistentLayout() {
        qt().withFixedSeed(7L).withExamples(150)
                .forAll(longs().all(), integers().between(0, 100), integers().between(0, 1))
                .checkAssert((seed, percent, blocky) -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    int rows = 1 + rnd.nextInt(50);
                    int columns = 1 + rnd.nextInt(80);
                    BlockShape shape = new BlockShape(1 + rnd.nextInt(20), 1 + rnd.nextInt(70));
                    int[] indices = blocky == 1
                            ? blockMask(rnd, rows, columns, shape, percent / 100.0)
                            : randomMask(rnd, rows * columns, percent / 100.0);
                    BsrLayout layout = BsrLayout.fromMask("t", rows, columns, shape, indices);
                    checkLayout(layout, indices, blocky == 1);
                    // the structure a mask file stores gives the same layout without rebuilding it
                    BsrLayout fromFile = BsrLayout.fromBlocks("t", rows, columns, layout.blocks(), indices);
                    assertThat(fromFile.entries()).containsExactly(layout.entries());
                    assertThat(fromFile.blocks()).isEqualTo(layout.blocks());
                });
    }

    @Test
    void aBlockStructureThatDoesNotFitTheMaskIsRefusedNamingTheTensor() {
        BlockShape shape = new BlockShape(2, 2);
        MaskBlocks blocks = BsrLayout.fromMask("t", 4, 4, shape, new int[] {0, 5}).blocks();
        assertThatThrownBy(() -> BsrLayout.fromBlocks("w", 4, 4, blocks, new int[] {0, 15}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor w").hasMessageContaining("15");
        assertThatThrownBy(() -> BsrLayout.fromBlocks("w", 8, 4, blocks, new int[] {0, 5}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block rows");
    }

    private static int[] randomMask(SplittableRandom rnd, int size, double density) {
        return java.util.stream.IntStream.range(0, size).filter(i -> rnd.nextDouble() < density).toArray();
    }

    private static int[] blockMask(SplittableRandom rnd, int rows, int columns, BlockShape shape, double density) {
        boolean[] on = new boolean[rows * columns];
        for (int r0 = 0; r0 < rows; r0 += shape.rows()) {
            for (int c0 = 0; c0 < columns; c0 += shape.columns()) {
                if (rnd.nextDouble() < density) {
                    for (int r = r0; r < Math.min(rows, r0 + shape.rows()); r++) {
                        for (int c = c0; c < Math.min(columns, c0 + shape.columns()); c++) {
                            on[r * columns + c] = true;
                        }
                    }
                }
            }
        }
        return java.util.stream.IntStream.range(0, on.length).filter(i -> on[i]).toArray();
    }

    /** Checks every documented property of the layout of {@code indices}, computed independently. */
    private static void checkLayout(BsrLayout layout, int[] indices, boolean blockMask) {
        int rows = layout.rows();
        int columns = layout.columns();
        int br = layout.blockShape().rows();
        int bc = layout.blockShape().columns();
        int blockRows = (rows + br - 1) / br;
        int blockColumns = (columns + bc - 1) / bc;
        String what = rows + "x" + columns + " in " + layout.blockShape() + " blocks, nnz " + indices.length;

        // entries are a permutation of the indices
        int[] entries = layout.entries();
        int[] sorted = entries.clone();
        Arrays.sort(sorted);
        assertThat(sorted).as(what).containsExactly(indices);

        int[] rowPointers = layout.blocks().blockRowPointers();
        int[] cols = layout.blocks().blockColumns();
        int[] entryPointers = layout.blocks().entryPointers();
        assertThat(rowPointers).as(what).hasSize(blockRows + 1);
        assertThat(rowPointers[0]).isZero();
        assertThat(rowPointers[blockRows]).isEqualTo(cols.length);
        assertThat(entryPointers).hasSize(cols.length + 1);
        assertThat(entryPointers[0]).isZero();
        assertThat(entryPointers[cols.length]).isEqualTo(indices.length);

        // independent count of active blocks and covered entries
        boolean[][] active = new boolean[blockRows][blockColumns];
        for (int i : indices) {
            active[i / columns / br][i % columns / bc] = true;
        }
        int expectedBlocks = 0;
        long covered = 0;
        for (int r = 0; r < blockRows; r++) {
            for (int c = 0; c < blockColumns; c++) {
                if (active[r][c]) {
                    expectedBlocks++;
                    covered += (long) Math.min(br, rows - r * br) * Math.min(bc, columns - c * bc);
                }
            }
        }
        assertThat(layout.blocks().activeBlocks()).as(what).isEqualTo(expectedBlocks);
        assertThat(layout.totalBlocks()).isEqualTo((long) blockRows * blockColumns);
        assertThat(layout.nnz()).isEqualTo(indices.length);
        if (indices.length > 0) {
            assertThat(layout.fillRatio()).as(what).isCloseTo((double) indices.length / covered, within(1e-12));
        }
        if (blockMask && indices.length > 0) {
            assertThat(layout.fillRatio()).as(what).isEqualTo(1.0);
        }

        // each block: the right block row and column, non-empty, row-major (ascending) inside
        for (int r = 0; r < blockRows; r++) {
            assertThat(rowPointers[r + 1]).isGreaterThanOrEqualTo(rowPointers[r]);
            for (int b = rowPointers[r]; b < rowPointers[r + 1]; b++) {
                if (b > rowPointers[r]) {
                    assertThat(cols[b]).as(what + " block columns ascend").isGreaterThan(cols[b - 1]);
                }
                assertThat(cols[b]).isBetween(0, blockColumns - 1);
                assertThat(entryPointers[b + 1]).as(what + " block %d non-empty", b).isGreaterThan(entryPointers[b]);
                for (int e = entryPointers[b]; e < entryPointers[b + 1]; e++) {
                    int i = entries[e];
                    if (i / columns / br != r || i % columns / bc != cols[b]) {
                        throw new AssertionError(what + ": entry " + i + " listed in block (" + r + ", " + cols[b] + ")");
                    }
                    if (e > entryPointers[b] && i <= entries[e - 1]) {
                        throw new AssertionError(what + ": entry " + i + " follows " + entries[e - 1]
                                + " inside a block (not row-major)");
                    }
                }
            }
        }

        // row segments: runs that expand to the indices in ascending order
        RunList runs = new RunList(5);
        layout.appendRowSegments(runs, 1000);
        List<Integer> expanded = new ArrayList<>();
        int[] starts = runs.starts();
        int[] states = runs.states();
        int[] lengths = runs.lengths();
        for (int k = 0; k < runs.runs(); k++) {
            assertThat(states[k]).as(what + " state offset of run " + k).isEqualTo(expanded.size());
            assertThat(lengths[k]).isBetween(1, 5);
            for (int z = 0; z < lengths[k]; z++) {
                expanded.add(starts[k] + z - 1000);
            }
        }
        assertThat(expanded).as(what).containsExactly(Arrays.stream(indices).boxed().toArray(Integer[]::new));
    }

    @Test
    void rejectsInvalidIndicesNamingTheTensor() {
        BlockShape shape = BlockShape.DEFAULT;
        assertThatThrownBy(() -> BsrLayout.fromMask("w", 4, 5, shape, new int[] {3, 2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor w").hasMessageContaining("strictly ascending")
                .hasMessageContaining("2 follows 3").hasMessageContaining("position 1");
        assertThatThrownBy(() -> BsrLayout.fromMask("w", 4, 5, shape, new int[] {2, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 2 is repeated");
        assertThatThrownBy(() -> BsrLayout.fromMask("w", 4, 5, shape, new int[] {-1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1").hasMessageContaining("[0, 20)");
        assertThatThrownBy(() -> BsrLayout.fromMask("w", 4, 5, shape, new int[] {0, 20}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20").hasMessageContaining("out of range");
        assertThatThrownBy(() -> BsrLayout.fromMask("w", 4, 5, shape, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tensor w").hasMessageContaining("null");
        assertThatThrownBy(() -> BsrLayout.fromMask("w", 0, 5, shape, new int[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x5");
        assertThatThrownBy(() -> BsrLayout.fromMask("w", 4, 0, shape, new int[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4x0");
    }
}
