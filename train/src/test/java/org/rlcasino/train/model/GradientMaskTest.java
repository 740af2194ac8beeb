package org.rlcasino.train.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.arrow.MaskBlocks;
import org.rlcasino.kernels.BlockSparseMatmulKernels;
import org.rlcasino.kernels.FastPaths;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The mask-aware backward: with a {@link GradientMask} the model writes exactly the gradients the
 * sparse optimizer reads — bit-identical to the dense backward inside active blocks and in dense
 * tensors, untouched (0) in frozen tensors and outside active blocks — for any thread count, with
 * and without the JVM fast paths.
 */
class GradientMaskTest {
    private static final GptConfig CONFIG = new GptConfig(37, 12, 2, 2, 24);

    /** Active entries: weights in a few clustered blocks, wte in scattered rows, some tensors frozen, one fully dense. */
    private static Map<String, int[]> active(ParameterLayout layout, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, int[]> out = new LinkedHashMap<>();
        for (TensorView t : layout.tensors()) {
            String name = t.name();
            if (name.equals("wpe.weight") || name.startsWith("ln_f.") || name.equals("h.1.attn.c_attn.bias")
                    || name.equals("h.0.mlp.c_fc.weight") || name.startsWith("h.1.ln_2.")) {
                continue; // frozen
            }
            TreeSet<Integer> set = new TreeSet<>();
            if (name.equals("h.1.attn.c_proj.weight")) {
                for (int i = 0; i < t.size(); i++) {
                    set.add(i); // every entry: a dense plan
                }
            } else if (t.shape().length == 2) {
                int picks = Math.max(1, t.size() / 40);
                for (int k = 0; k < picks; k++) {
                    // clustered: a few rows and columns, so the block cover is sparse
                    int row = r.nextInt(Math.max(1, t.rows() / 8)) * 8 + r.nextInt(3);
                    int column = r.nextInt(Math.max(1, t.columns() / 8)) * 8 + r.nextInt(3);
                    set.add(Math.min(t.rows() - 1, row) * t.columns() + Math.min(t.columns() - 1, column));
                }
            } else {
                set.add(r.nextInt(t.size()));
            }
            out.put(name, set.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    private static float[] gradients(GradientMask mask, int threads, FastPaths fastPaths) {
        try (JvmBackend backend = new JvmBackend(threads, 5, fastPaths); GptModel model = new GptModel(CONFIG, backend)) {
            model.initialize(23);
            model.restrictGradients(mask);
            SplittableRandom r = new SplittableRandom(5);
            int batch = 3;
            int seqLen = 10;
            int n = batch * seqLen;
            int[] tokens = new int[n];
            int[] targets = new int[n];
            float[] dLogProbs = new float[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = r.nextInt(CONFIG.vocabSize());
                targets[i] = r.nextInt(CONFIG.vocabSize());
                dLogProbs[i] = (float) -r.nextDouble();
            }
            model.zeroGradients();
            model.forward(tokens, targets, batch, seqLen);
            model.backward(dLogProbs);
            // a second accumulation, as GRPO's several updates per batch do
            model.forward(tokens, targets, batch, seqLen);
            model.backward(dLogProbs);
            return model.gradients().clone();
        }
    }

    @ParameterizedTest
    @CsvSource({"1, ALL, 4, 4", "2, ALL, 4, 4", "3, NONE, 4, 4", "2, EXACT, 8, 8", "2, ALL, 1, 8", "2, NONE, 8, 1"})
    void theMaskedBackwardWritesExactlyTheDenseGradientsItKeeps(int threads, FastPaths fastPaths, int br, int bc) {
        ParameterLayout layout = CONFIG.layout();
        GradientMask mask = GradientMask.fromActive(layout, active(layout, 11), br, bc);
        assertThat(mask.of("wpe.weight").kind()).isEqualTo(GradientMask.Kind.FROZEN);
        assertThat(mask.of("h.0.mlp.c_fc.weight").kind()).isEqualTo(GradientMask.Kind.FROZEN);
        assertThat(mask.of("h.1.attn.c_proj.weight").kind()).isEqualTo(GradientMask.Kind.DENSE);
        assertThat(mask.of("h.0.attn.c_attn.weight").kind()).isEqualTo(GradientMask.Kind.BLOCKS);
        assertThat(mask.of("wte.weight").kind()).isEqualTo(GradientMask.Kind.BLOCKS);
        // against the dense path with the exact fast paths (for NONE: reference kernels against fast paths);
        // with ALL both sides also use the GELU fast paths, which are within tolerance of the reference
        float[] dense = gradients(null, 2, fastPaths == FastPaths.ALL ? FastPaths.ALL : FastPaths.EXACT);
        float[] masked = gradients(mask, threads, fastPaths);
        int computed = 0;
        boolean embeddingRuns = mask.computes("wte.weight") || mask.computes("wpe.weight");
        for (TensorView t : layout.tensors()) {
            GradientMask.TensorGradient plan = mask.of(t.name());
            for (int i = 0; i < t.size(); i++) {
                boolean inBlock = plan.kind() == GradientMask.Kind.BLOCKS && inBlocks(plan.blocks(), i / t.columns(), i % t.columns());
                boolean written = switch (t.name()) {
                    // the tied table: the head's dW only inside its blocks, then the embedding rows on top;
                    // outside the blocks it holds the embedding part alone, which the dense backward never shows
                    case "wte.weight" -> inBlock;
                    // one embedding kernel writes both tables unless both are frozen
                    case "wpe.weight" -> embeddingRuns;
                    default -> plan.kind() == GradientMask.Kind.DENSE || inBlock;
                };
                if (t.name().equals("wte.weight") && !inBlock) {
                    continue;
                }
                float want = written ? dense[t.offset() + i] : 0f;
                assertThat(Float.floatToRawIntBits(masked[t.offset() + i])).as("%s[%d] (%s)", t.name(), i, plan.kind())
                        .isEqualTo(Float.floatToRawIntBits(want));
                computed += written ? 1 : 0;
            }
        }
        assertThat(computed).isPositive();
        assertThat(mask.blockFill()).isBetween(0.0, 1.0);
        assertThat(mask.summary()).contains("block-sparse", br + "x" + bc);
    }

    @Test
    void frozenEverythingLeavesEveryGradientAtZeroAndTheDenseMaskIsTheDensePath() {
        ParameterLayout layout = CONFIG.layout();
        float[] none = gradients(GradientMask.fromActive(layout, Map.of(), 16, 16), 2, FastPaths.ALL);
        for (float g : none) {
            assertThat(g).isZero();
        }
        float[] dense = gradients(null, 2, FastPaths.ALL);
        float[] denseMask = gradients(GradientMask.dense(layout), 2, FastPaths.ALL);
        for (int i = 0; i < dense.length; i++) {
            assertThat(Float.floatToRawIntBits(denseMask[i])).isEqualTo(Float.floatToRawIntBits(dense[i]));
        }
        assertThat(GradientMask.dense(layout).isDense()).isTrue();
        assertThat(GradientMask.dense(layout).blockFill()).isEqualTo(1.0);
    }

    @Test
    void theBackwardCanBeTimedInInputAndParameterGradientLaunches() {
        try (JvmBackend backend = new JvmBackend(1, 1 << 14); GptModel model = new GptModel(CONFIG, backend)) {
            model.initialize(3);
            assertThat(model.backwardSplitNanos()).isNull();
            int n = 2 * 6;
            model.timeBackward(true);
            model.forward(new int[n], new int[n], 2, 6);
            model.backward(new float[n]);
            long[] dense = model.backwardSplitNanos();
            assertThat(dense[0]).isPositive();
            assertThat(dense[1]).isPositive();
            model.restrictGradients(GradientMask.fromActive(CONFIG.layout(), Map.of(), 16, 16));
            model.timeBackward(true);
            model.forward(new int[n], new int[n], 2, 6);
            model.backward(new float[n]);
            assertThat(model.backwardSplitNanos()[0]).isPositive();
            assertThat(model.backwardSplitNanos()[1]).isZero(); // every tensor frozen: no parameter-gradient launch
            model.timeBackward(false);
            assertThat(model.backwardSplitNanos()).isNull();
        }
    }

    @Test
    void aTensorsOwnBlockShapeOverridesTheDefault() {
        ParameterLayout layout = CONFIG.layout();
        // c_attn.weight is (24, 72): an active entry at (9, 40)
        Map<String, int[]> active = Map.of("h.0.attn.c_attn.weight", new int[] {9 * 72 + 40});
        GradientMask byDefault = GradientMask.fromActive(layout, active, 8, 8);
        // a mask file's stored structure (12x24 blocks) is used as it is
        org.rlcasino.io.arrow.BlockShape shape = new org.rlcasino.io.arrow.BlockShape(12, 24);
        GradientMask own = GradientMask.fromActive(layout, active, Map.of("h.0.attn.c_attn.weight",
                MaskBlocks.ofIndices(shape, 24, 72, active.get("h.0.attn.c_attn.weight"))), 8, 8);
        int[] d = byDefault.of("h.0.attn.c_attn.weight").blocks();
        int[] o = own.of("h.0.attn.c_attn.weight").blocks();
        assertThat(new int[] {d[BlockSparseMatmulKernels.B_ROWS], d[BlockSparseMatmulKernels.B_COLS],
                d[BlockSparseMatmulKernels.B_FIRST], d[BlockSparseMatmulKernels.B_FIRST + 1]}).containsExactly(8, 8, 1, 5);
        assertThat(new int[] {o[BlockSparseMatmulKernels.B_ROWS], o[BlockSparseMatmulKernels.B_COLS],
                o[BlockSparseMatmulKernels.B_FIRST], o[BlockSparseMatmulKernels.B_FIRST + 1]}).containsExactly(12, 24, 0, 1);
        assertThat(own.of("h.0.attn.c_attn.weight").totalBlocks()).isEqualTo(2 * 3);
        org.rlcasino.io.arrow.BlockShape huge = new org.rlcasino.io.arrow.BlockShape(5000, 4);
        assertThatThrownBy(() -> GradientMask.fromActive(layout, active,
                Map.of("h.0.attn.c_attn.weight", MaskBlocks.ofIndices(huge, 24, 72, active.get("h.0.attn.c_attn.weight"))), 8, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("h.0.attn.c_attn.weight");
    }

    @Test
    void badMasksAreRefusedNamingTheTensor() {
        ParameterLayout layout = CONFIG.layout();
        assertThatThrownBy(() -> GradientMask.fromActive(layout, Map.of("h.9.attn.c_attn.weight", new int[] {0}), 16, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("h.9.attn.c_attn.weight");
        assertThatThrownBy(() -> GradientMask.fromActive(layout, Map.of("ln_f.bias", new int[] {24}), 16, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ln_f.bias").hasMessageContaining("24");
        assertThatThrownBy(() -> GradientMask.fromActive(layout, Map.of(), 0, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block sides");
    }

    private static boolean inBlocks(int[] blocks, int row, int column) {
        if (blocks == null) {
            return false;
        }
        int br = blocks[BlockSparseMatmulKernels.B_ROWS];
        int bc = blocks[BlockSparseMatmulKernels.B_COLS];
        for (int q = 0; q < blocks[BlockSparseMatmulKernels.B_COUNT]; q++) {
            if (blocks[BlockSparseMatmulKernels.B_FIRST + 2 * q] == row / br
                    && blocks[BlockSparseMatmulKernels.B_FIRST + 2 * q + 1] == column / bc) {
                return true;
            }
        }
        return false;
    }
}
