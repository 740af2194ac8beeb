package org.rlcasino.train.family;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rlcasino.io.hf.DecoderConfig;
import org.rlcasino.kernels.BlockSparseMatmulKernels;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.train.model.GradientMask;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mask-aware backward of {@link DecoderModel}: with a mask of random block-sparse, dense and
 * frozen tensors, every gradient entry it computes equals the dense backward's bit for bit, and the
 * others are zero (a frozen tensor's, and a block-masked weight's outside its blocks) — except the
 * fused gate/up product, computed dense for both when either is dense, and the tied embedding's rows,
 * which lookups write outside the head's blocks.
 */
class DecoderGradientMaskTest {
    private static final Path FIXTURES = Path.of("src/test/resources/families");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen3", "gemma3"})
    void theMaskedBackwardWritesExactlyTheDenseGradientsItKeeps(String family) throws Exception {
        Path dir = FIXTURES.resolve(family + "-model");
        DecoderConfig config = DecoderConfig.read(dir.resolve("config.json"));
        int[] tokens = new int[2 * 9];
        int[] targets = new int[tokens.length];
        float[] dlogp = new float[tokens.length];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = 1 + r.nextInt(config.vocabSize() - 1);
            targets[i] = r.nextInt(config.vocabSize());
            dlogp[i] = (float) -r.nextDouble();
        }
        try (JvmBackend backend = new JvmBackend(2, 64); DecoderModel model = new DecoderModel(config, backend)) {
            model.load(dir);
            model.forward(tokens, targets, 2, 9);
            model.backward(dlogp);
            float[] dense = model.gradients().clone();
            // per tensor: frozen, dense, or random entries (becoming 8x8 blocks)
            Map<String, int[]> active = new HashMap<>();
            for (TensorView t : model.layout().tensors()) {
                // layer 0's gate and up projections both block-sparse: the fused product's block-sparse path
                int choice = t.name().startsWith("model.layers.0.mlp.") && !t.name().contains("down") ? 2 : r.nextInt(3);
                if (choice == 1) {
                    active.put(t.name(), java.util.stream.IntStream.range(0, t.size()).toArray());
                } else if (choice == 2) {
                    // a few entries in one or two 8x8 blocks: block-sparse
                    TreeSet<Integer> set = new TreeSet<>();
                    int rows = t.size() / t.columns();
                    for (int i = 0; i < 6; i++) {
                        int blockRow = r.nextInt(Math.max(1, rows / 8));
                        int row = Math.min(rows - 1, blockRow * 8 + r.nextInt(8));
                        int column = r.nextInt(Math.min(8, t.columns()));
                        set.add(row * t.columns() + column);
                    }
                    active.put(t.name(), set.stream().mapToInt(Integer::intValue).toArray());
                }
            }
            GradientMask mask = GradientMask.fromActive(model.layout(), active, 8, 8);
            assertThat(model.layout().tensors().stream().filter(t -> mask.of(t.name()).kind() == GradientMask.Kind.BLOCKS).count())
                    .as("block-masked weights").isGreaterThan(1);
            assertThat(model.layout().tensors().stream().filter(t -> mask.of(t.name()).kind() == GradientMask.Kind.FROZEN).count())
                    .as("frozen tensors").isGreaterThan(1);
            model.restrictGradients(mask);
            model.forward(tokens, targets, 2, 9);
            model.backward(dlogp);
            float[] masked = model.gradients();
            int kept = 0;
            for (TensorView t : model.layout().tensors()) {
                GradientMask.TensorGradient plan = mask.of(t.name());
                boolean fusedDense = t.name().contains("mlp.gate_proj") || t.name().contains("mlp.up_proj");
                for (int i = 0; i < t.size(); i++) {
                    float got = masked[t.offset() + i];
                    float want = dense[t.offset() + i];
                    boolean inside = plan.kind() == GradientMask.Kind.DENSE
                            || plan.kind() == GradientMask.Kind.BLOCKS && inBlocks(plan.blocks(), i / t.columns(), i % t.columns());
                    if (inside) {
                        assertThat(Float.floatToRawIntBits(got)).as("%s[%d] (%s)", t.name(), i, plan.kind())
                                .isEqualTo(Float.floatToRawIntBits(want));
                        kept++;
                    } else if (!(fusedDense || t.name().equals("model.embed_tokens.weight"))) {
                        assertThat(got).as("%s[%d] (%s): not computed", t.name(), i, plan.kind()).isZero();
                    } else {
                        assertThat(got == 0f || Float.floatToRawIntBits(got) == Float.floatToRawIntBits(want)).isTrue();
                    }
                }
            }
            assertThat(kept).isPositive();
        }
    }

    static boolean inBlocks(int[] blocks, int row, int column) {
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
