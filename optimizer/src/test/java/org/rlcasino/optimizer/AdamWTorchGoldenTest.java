package org.rlcasino.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.testsupport.NumericAssertions;

/**
 * Golden test against {@code torch.optim.AdamW} (PyTorch 1.13, single-tensor path), as llm.c's
 * test_gpt2 checks its model: {@code optimizer/src/test/python/gen_adamw_golden.py} ran 20 steps
 * with a cosine-with-warmup {@code LambdaLR} schedule, without and with {@code clip_grad_norm_},
 * and recorded every gradient and the parameters after every step in
 * {@code golden/adamw_torch.bin} (format: README.md next to the script). Here the same gradients
 * go through {@link AdamW} and through {@link BsrAdamW} with a mask of every entry, and the
 * parameters must match after every step.
 *
 * <p>Tolerance: 1e-6 relative plus 1e-7 absolute. The kernels do torch's operations in float32
 * with the host scalars in double, but not with torch's exact roundings. An emulation of torch
 * 1.13's CPU kernels in numpy reproduces this fixture bit for bit only with (a) {@code add_(g,
 * alpha)} and {@code addcmul_} fused, {@code m = fma(g, 1−β1, β1·m)} and {@code v = fma((1−β2)·g,
 * g, β2·v)}, where the kernels round each product; (b) {@code addcdiv_} as
 * {@code p + ((−lr/bc1)·m)/denom}, where the kernels compute {@code p − (lr/bc1)·(m/denom)};
 * (c) clipping's coefficient in float32 as {@code (1/(norm + 1e-6))·maxNorm} from torch's own
 * float32 norm, where the host divides in double. Each costs about one ulp of the update per step;
 * those absolute errors (~1e-9 after 20 steps) stay when a parameter shrinks towards zero, so its
 * relative error grows there, which is what the absolute tolerance is for. Parameters of order 1
 * differ by at most one float ulp.
 */
class AdamWTorchGoldenTest {
    static final String FIXTURE = "/golden/adamw_torch.bin";
    static final String SCRIPT = "optimizer/src/test/python/gen_adamw_golden.py";
    static final byte[] MAGIC = "RLCAGOLD".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;

    /** Parameters: relative tolerance, plus an absolute one for entries near zero. */
    static final double PARAM_RTOL = 1e-6;
    static final double PARAM_ATOL = 1e-7;
    /** Both sides compute the schedule in double; only cos may differ in the last bit. */
    static final double LR_RTOL = 1e-12;
    /** torch sums squares in float32 per tensor, the Java reduction in float32 partials folded in double. */
    static final double NORM_RTOL = 1e-5;
    /** torch.nn.utils.clip_grad_norm_ adds this to the norm before dividing. */
    static final double CLIP_EPS = 1e-6;

    private static Fixture fixture;
    private static JvmBackend backend;

    @BeforeAll
    static void readFixture() throws IOException {
        try (InputStream in = AdamWTorchGoldenTest.class.getResourceAsStream(FIXTURE)) {
            if (in == null) {
                fail("missing test resource " + FIXTURE + ". HINT: re-run /usr/bin/python3 " + SCRIPT);
            }
            fixture = Fixture.parse(in.readAllBytes());
        }
        backend = new JvmBackend(3, 64); // several threads and chunks: results must not depend on them
    }

    @AfterAll
    static void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> denseAdamWMatchesTorch() {
        return fixture.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> replay("adamw", c, config -> new AdamW(config, c.layout(), backend))));
    }

    @TestFactory
    Stream<DynamicTest> bsrAdamWWithFullMaskMatchesTorch() {
        return fixture.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Map<String, int[]> mask = new LinkedHashMap<>();
            for (TensorView t : c.layout().tensors()) {
                int[] all = new int[t.size()];
                Arrays.setAll(all, i -> i);
                mask.put(t.name(), all);
            }
            replay("bsr-adamw", c, config -> new BsrAdamW(config, c.layout(), mask, BsrAdamWOptions.DEFAULTS, backend));
        }));
    }

    @Test
    void badMagicNamesTheScriptToReRun() {
        byte[] bytes = new byte[64];
        System.arraycopy("NOTGOLD!".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 8);
        assertThatThrownBy(() -> Fixture.parse(bytes))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("bad magic")
                .hasMessageContaining(SCRIPT);
    }

    @Test
    void unknownVersionNamesTheScriptToReRun() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION + 1);
        assertThatThrownBy(() -> Fixture.parse(b.array()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("version " + (VERSION + 1))
                .hasMessageContaining(SCRIPT);
    }

    @Test
    void clippingCaseClipsSomeStepsAndNotOthers() {
        for (Case c : fixture.cases()) {
            if (c.maxGradNorm() > 0) {
                long clipped = c.steps().stream().filter(s -> s.gradNorm() > c.maxGradNorm()).count();
                assertThat(clipped).as("%s: steps clipped by torch", c.name()).isBetween(1L, c.steps().size() - 1L);
            }
        }
        assertThat(fixture.cases()).anyMatch(c -> c.maxGradNorm() > 0).anyMatch(c -> c.maxGradNorm() == 0);
    }

    private static void replay(String optimizerName, Case c, Function<AdamWConfig, Optimizer> factory) {
        Hyper h = fixture.hyper();
        AdamWConfig config = new AdamWConfig(h.lr(), h.beta1(), h.beta2(), h.eps(), h.weightDecay(), false,
                c.maxGradNorm(), NonFinitePolicy.FAIL, LearningRateSchedule.cosine(h.warmupSteps(), h.totalSteps(), 0.0));
        Optimizer optimizer = factory.apply(config);
        float[] params = c.initialParams().clone();
        double maxDiff = 0;
        double maxRel = 0;
        double maxLrRel = 0;
        double maxNormRel = 0;
        for (int s = 0; s < c.steps().size(); s++) {
            Step expected = c.steps().get(s);
            String at = optimizerName + " " + c.name() + " step " + (s + 1);
            StepReport report = optimizer.step(params, expected.grads().clone());
            assertThat(report.skipped()).as("%s skipped", at).isFalse();
            assertEquals(expected.lr(), report.lr(), LR_RTOL * Math.abs(expected.lr()), at + ": lr");
            maxLrRel = Math.max(maxLrRel, relativeDifference(report.lr(), expected.lr()));
            if (c.maxGradNorm() > 0) {
                assertEquals(expected.gradNorm(), report.gradNorm(), NORM_RTOL * expected.gradNorm(),
                        at + ": gradient norm");
                maxNormRel = Math.max(maxNormRel, relativeDifference(report.gradNorm(), expected.gradNorm()));
                double torchScale = Math.min(1.0, c.maxGradNorm() / (expected.gradNorm() + CLIP_EPS));
                assertEquals(torchScale, report.gradScale(), NORM_RTOL * torchScale, at + ": clip factor");
            }
            for (TensorView t : c.layout().tensors()) {
                float[] actual = Arrays.copyOfRange(params, t.offset(), t.offset() + t.size());
                float[] want = Arrays.copyOfRange(expected.paramsAfter(), t.offset(), t.offset() + t.size());
                maxDiff = Math.max(maxDiff,
                        NumericAssertions.assertClose(at + " " + t.name(), actual, want, PARAM_ATOL, PARAM_RTOL));
                for (int i = 0; i < actual.length; i++) {
                    maxRel = Math.max(maxRel, relativeDifference(actual[i], want[i]));
                }
            }
        }
        String norm = c.maxGradNorm() > 0 ? String.format(", grad norm max rel %.3g", maxNormRel) : "";
        System.out.printf("%s %s (%d steps vs %s): OK (maxdiff %.3g, max rel %.3g, lr max rel %.3g%s)%n",
                optimizerName, c.name(), c.steps().size(), fixture.generator(), maxDiff, maxRel, maxLrRel, norm);
    }

    private static double relativeDifference(double actual, double expected) {
        return expected == 0 ? (actual == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.abs(actual - expected) / Math.abs(expected);
    }

    record Hyper(double lr, double beta1, double beta2, double eps, double weightDecay, int warmupSteps,
                 int totalSteps) {}

    /** One step of torch's run: the lr it used, the norm clip_grad_norm_ returned (NaN when not clipping), the raw gradient, the parameters after. */
    record Step(double lr, double gradNorm, float[] grads, float[] paramsAfter) {}

    record Case(String name, double maxGradNorm, ParameterLayout layout, float[] initialParams, List<Step> steps) {}

    record Fixture(String generator, Hyper hyper, List<Case> cases) {
        /** Parses the format of README.md next to {@link #SCRIPT}; fails with a hint to regenerate on any mismatch. */
        static Fixture parse(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            try {
                byte[] magic = new byte[MAGIC.length];
                b.get(magic);
                if (!Arrays.equals(magic, MAGIC)) {
                    throw bad("bad magic " + Arrays.toString(magic) + " (expected \"RLCAGOLD\")");
                }
                int version = b.getInt();
                if (version != VERSION) {
                    throw bad("fixture format version " + version + ", this test reads version " + VERSION);
                }
                String generator = string(b);
                Hyper hyper = new Hyper(b.getDouble(), b.getDouble(), b.getDouble(), b.getDouble(), b.getDouble(),
                        b.getInt(), b.getInt());
                int caseCount = count(b, "cases");
                List<Case> cases = new ArrayList<>();
                for (int k = 0; k < caseCount; k++) {
                    cases.add(readCase(b));
                }
                if (b.hasRemaining()) {
                    throw bad(b.remaining() + " trailing bytes");
                }
                return new Fixture(generator, hyper, List.copyOf(cases));
            } catch (BufferUnderflowException e) {
                throw bad("file ends early (" + bytes.length + " bytes)");
            }
        }

        private static Case readCase(ByteBuffer b) {
            String name = string(b);
            double maxGradNorm = b.getDouble();
            int stepCount = count(b, "steps");
            int tensorCount = count(b, "tensors");
            ParameterLayout.Builder builder = ParameterLayout.builder();
            for (int t = 0; t < tensorCount; t++) {
                String tensorName = string(b);
                int[] shape = new int[count(b, "dimensions")];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = b.getInt();
                }
                builder.add(tensorName, shape);
            }
            ParameterLayout layout = builder.build();
            int n = layout.totalSize();
            float[] initial = floats(b, n);
            List<Step> steps = new ArrayList<>();
            for (int s = 0; s < stepCount; s++) {
                double lr = b.getDouble();
                double norm = b.getDouble();
                float[] grads = floats(b, n);
                steps.add(new Step(lr, norm, grads, floats(b, n)));
            }
            return new Case(name, maxGradNorm, layout, initial, List.copyOf(steps));
        }

        private static int count(ByteBuffer b, String what) {
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw bad("implausible number of " + what + ": " + n);
            }
            return n;
        }

        private static String string(ByteBuffer b) {
            byte[] data = new byte[count(b, "string bytes")];
            b.get(data);
            return new String(data, StandardCharsets.UTF_8);
        }

        private static float[] floats(ByteBuffer b, int n) {
            float[] out = new float[n];
            b.asFloatBuffer().get(out);
            b.position(b.position() + 4 * n);
            return out;
        }

        private static AssertionError bad(String problem) {
            return new AssertionError(FIXTURE + ": " + problem + ". HINT: re-run /usr/bin/python3 " + SCRIPT
                    + " from the repository root (needs Debian's python3-torch)");
        }
    }
}
