package org.rlcasino.tornado;

import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.rlcasino.kernels.AttentionKernels;
import org.rlcasino.kernels.EmbeddingKernels;
import org.rlcasino.kernels.GatedActivationKernels;
import org.rlcasino.kernels.GroupedAttentionKernels;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.Kernel;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.LayerNormKernels;
import org.rlcasino.kernels.LogProbKernels;
import org.rlcasino.kernels.MatmulKernels;
import org.rlcasino.kernels.RmsNormKernels;
import org.rlcasino.kernels.RotaryKernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.rlcasino.testsupport.NumericAssertions.assertClose;

/**
 * The GPT trainer's kernels (matmuls, embedding, LayerNorm, GELU, residual, attention, log-prob)
 * through TornadoVM against the JVM backend, 3 launches each on copies of the same data.
 * Tolerance 1e-5 relative plus 1e-6 absolute: OpenCL contracts {@code a*b+c} into fused
 * multiply-adds and its exp/log differ by an ulp or two, on values of order 1. Arrays a kernel
 * only partly writes or adds into are passed as STATE (read back with syncToHost). Needs
 * TORNADOVM_HOME (see TornadoBackendTest).
 */
@Tag("tornado")
class GptKernelsTornadoTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;
    private static final int B = 2;
    private static final int T = 16;
    private static final int C = 32;
    private static final int NH = 4;
    private static final int V = 50;
    private static final int N = B * T;
    private static TornadoBackend tornado;
    private static JvmBackend jvm;

    @BeforeAll
    static void start() {
        boolean present = System.getenv("TORNADOVM_HOME") != null;
        assumeTrue(present, "TORNADOVM_HOME is not set: TornadoVM parity tests skipped");
        tornado = new TornadoBackend(-1, 0);
        jvm = new JvmBackend(2, 100);
    }

    @AfterAll
    static void stop() {
        if (tornado != null) {
            tornado.close();
            jvm.close();
        }
    }

    private static void compare(Kernel kernel, Object[] data, Function<Object[], KernelCall> make) {
        Object[] onJvm = copy(data);
        Object[] onDevice = copy(data);
        var jvmLaunch = jvm.prepare(make.apply(onJvm));
        var deviceLaunch = tornado.prepare(make.apply(onDevice));
        for (int launch = 0; launch < 3; launch++) {
            jvmLaunch.launch();
            deviceLaunch.launch();
        }
        for (int i = 0; i < data.length; i++) {
            if (onDevice[i] instanceof float[] f) {
                tornado.syncToHost(f);
                double diff = assertClose(kernel + " argument " + i, f, (float[]) onJvm[i], ATOL, RTOL);
                System.out.printf("%s argument %d: max |device - jvm| = %.3g%n", kernel, i, diff);
            } else if (onDevice[i] instanceof int[] ints) {
                assertThat(ints).as(kernel + " argument " + i).isEqualTo((int[]) onJvm[i]);
            }
        }
        TornadoBackend.LaunchProfile profile = ((TornadoBackend.TornadoLaunch) deviceLaunch).lastProfile();
        assertThat(profile.compileNanos()).as(kernel + ": no compilation after warm-up").isZero();
        System.out.printf("%s on %s: OK, last launch kernel %.3f ms%n", kernel, tornado.name(), profile.kernelNanos() / 1e6);
    }

    private static Object[] copy(Object[] data) {
        Object[] c = new Object[data.length];
        for (int i = 0; i < data.length; i++) {
            c[i] = data[i] instanceof float[] f ? f.clone() : data[i] instanceof int[] a ? a.clone() : data[i];
        }
        return c;
    }

    private static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * scale);
        }
        return x;
    }

    private static int[] ints(SplittableRandom r, int n, int bound) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(bound);
        }
        return x;
    }

    // ---- matmuls: offsets inside larger buffers, bias and accumulate flags ----

    @Test
    void matmulNNMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(1);
        int m = 33;
        int k = 40;
        int n = 24;
        int[] dims = MatmulKernels.dims(m, k, n, 5, 3, 7, 11, MatmulKernels.F_BIAS | MatmulKernels.F_ACCUMULATE);
        Object[] data = {gaussian(r, 5 + m * n, 1), gaussian(r, 3 + m * k, 1), gaussian(r, 7 + k * n, 0.2),
                gaussian(r, 11 + n, 1), dims};
        compare(Kernel.MATMUL_NN, data, a -> KernelCall.builder("test.matmul_nn", Kernel.MATMUL_NN).state((float[]) a[0])
                .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).constant((int[]) a[4]).over(m * n));
    }

    @Test
    void matmulNTMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(2);
        int m = 30;
        int k = 32;
        int n = 50;
        int[] dims = MatmulKernels.dims(m, k, n, 0, 4, 9, 0, 0);
        Object[] data = {new float[m * n], gaussian(r, 4 + m * k, 1), gaussian(r, 9 + n * k, 0.2), new float[1], dims};
        compare(Kernel.MATMUL_NT, data, a -> KernelCall.builder("test.matmul_nt", Kernel.MATMUL_NT).output((float[]) a[0])
                .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).constant((int[]) a[4]).over(m * n));
    }

    @Test
    void matmulTNMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(3);
        int m = 64;
        int k = 20;
        int n = 36;
        int[] dims = MatmulKernels.dims(m, k, n, 6, 0, 2, 0, MatmulKernels.F_ACCUMULATE);
        Object[] data = {gaussian(r, 6 + k * n, 1), gaussian(r, m * k, 1), gaussian(r, 2 + m * n, 0.2), new float[1], dims};
        compare(Kernel.MATMUL_TN, data, a -> KernelCall.builder("test.matmul_tn", Kernel.MATMUL_TN).state((float[]) a[0])
                .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).constant((int[]) a[4]).over(k * n));
    }

    @Test
    void columnSumMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(4);
        int m = 64;
        int n = 96;
        int[] dims = MatmulKernels.dims(m, 0, n, 3, 5, 0, 0, MatmulKernels.F_ACCUMULATE);
        Object[] data = {gaussian(r, 3 + n, 1), gaussian(r, 5 + m * n, 1), dims};
        compare(Kernel.COLUMN_SUM, data, a -> KernelCall.builder("test.column_sum", Kernel.COLUMN_SUM).state((float[]) a[0])
                .input((float[]) a[1]).constant((int[]) a[2]).over(n));
    }

    // ---- embedding ----

    @Test
    void embeddingForwardAndBackwardMatchTheJvm() {
        SplittableRandom r = new SplittableRandom(5);
        int wte = 3;
        int wpe = wte + V * C;
        int size = wpe + T * C;
        int[] tokens = ints(r, N, V);
        int[] positions = new int[N];
        for (int i = 0; i < N; i++) {
            positions[i] = i % T;
        }
        int[] dims = EmbeddingKernels.dims(N, C, wte, wpe);
        compare(Kernel.EMBEDDING_FORWARD, new Object[] {new float[N * C], tokens, positions, gaussian(r, size, 1), dims},
                a -> KernelCall.builder("test.embedding", Kernel.EMBEDDING_FORWARD).output((float[]) a[0])
                        .input((int[]) a[1]).constant((int[]) a[2]).state((float[]) a[3]).constant((int[]) a[4]).over(N));
        compare(Kernel.EMBEDDING_BACKWARD, new Object[] {gaussian(r, size, 1), gaussian(r, N * C, 1), tokens, positions, dims},
                a -> KernelCall.builder("test.embedding_backward", Kernel.EMBEDDING_BACKWARD).state((float[]) a[0])
                        .input((float[]) a[1]).input((int[]) a[2]).constant((int[]) a[3]).constant((int[]) a[4]).over(C));
    }

    // ---- layernorm ----

    @Test
    void layerNormKernelsMatchTheJvm() {
        SplittableRandom r = new SplittableRandom(6);
        int w = 2;
        int b = w + C;
        float[] params = gaussian(r, b + C, 0.3);
        for (int c = 0; c < C; c++) {
            params[w + c] += 1;
        }
        float[] x = gaussian(r, N * C, 2);
        int[] dims = LayerNormKernels.dims(N, C, w, b, 0);
        compare(Kernel.LAYER_NORM_FORWARD, new Object[] {new float[N * C], new float[N], new float[N], x, params, dims},
                a -> KernelCall.builder("test.layernorm", Kernel.LAYER_NORM_FORWARD).output((float[]) a[0])
                        .output((float[]) a[1]).output((float[]) a[2]).input((float[]) a[3]).state((float[]) a[4])
                        .constant((int[]) a[5]).over(N));
        // mean and rstd from the JVM forward, as the backward pass sees them
        float[] mean = new float[N];
        float[] rstd = new float[N];
        jvm.prepare(KernelCall.builder("test.layernorm", Kernel.LAYER_NORM_FORWARD).output(new float[N * C]).output(mean)
                .output(rstd).input(x).state(params).constant(dims).over(N)).launch();
        float[] dy = gaussian(r, N * C, 1);
        int[] accumulate = LayerNormKernels.dims(N, C, w, b, LayerNormKernels.F_ACCUMULATE);
        compare(Kernel.LAYER_NORM_BACKWARD_INPUT, new Object[] {gaussian(r, N * C, 1), dy, x, mean, rstd, params, accumulate},
                a -> KernelCall.builder("test.layernorm_dx", Kernel.LAYER_NORM_BACKWARD_INPUT).state((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .state((float[]) a[5]).constant((int[]) a[6]).over(N));
        compare(Kernel.LAYER_NORM_BACKWARD_PARAMS, new Object[] {gaussian(r, b + C, 1), dy, x, mean, rstd, dims},
                a -> KernelCall.builder("test.layernorm_dw", Kernel.LAYER_NORM_BACKWARD_PARAMS).state((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .constant((int[]) a[5]).over(C));
    }

    // ---- Llama-family and Gemma operations ----

    @Test
    void rmsNormGatedActivationsAndRotaryMatchTheJvm() {
        SplittableRandom r = new SplittableRandom(11);
        int w = 3;
        float[] params = gaussian(r, w + C + 2, 0.3);
        float[] x = gaussian(r, N * C, 2);
        float[] eps = {1e-6f};
        for (int flags : new int[] {0, RmsNormKernels.F_PLUS_ONE}) {
            int[] dims = RmsNormKernels.dims(N, C, w, flags);
            compare(Kernel.RMS_NORM_FORWARD, new Object[] {new float[N * C], new float[N], x, params, eps, dims},
                    a -> KernelCall.builder("test.rmsnorm", Kernel.RMS_NORM_FORWARD).output((float[]) a[0])
                            .output((float[]) a[1]).input((float[]) a[2]).state((float[]) a[3]).constant((float[]) a[4])
                            .constant((int[]) a[5]).over(N));
            float[] rstd = new float[N];
            jvm.prepare(KernelCall.builder("test.rmsnorm", Kernel.RMS_NORM_FORWARD).output(new float[N * C]).output(rstd)
                    .input(x).state(params).constant(eps).constant(dims).over(N)).launch();
            float[] dy = gaussian(r, N * C, 1);
            int[] accumulate = RmsNormKernels.dims(N, C, w, flags | RmsNormKernels.F_ACCUMULATE);
            compare(Kernel.RMS_NORM_BACKWARD_INPUT, new Object[] {gaussian(r, N * C, 1), dy, x, rstd, params, accumulate},
                    a -> KernelCall.builder("test.rmsnorm_dx", Kernel.RMS_NORM_BACKWARD_INPUT).state((float[]) a[0])
                            .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).state((float[]) a[4])
                            .constant((int[]) a[5]).over(N));
            compare(Kernel.RMS_NORM_BACKWARD_PARAMS, new Object[] {gaussian(r, w + C + 2, 1), dy, x, rstd, dims},
                    a -> KernelCall.builder("test.rmsnorm_dw", Kernel.RMS_NORM_BACKWARD_PARAMS).state((float[]) a[0])
                            .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).constant((int[]) a[4]).over(C));
        }
        int[] tokens = new int[N];
        for (int i = 0; i < N; i++) {
            tokens[i] = r.nextInt(V);
        }
        float[] table = gaussian(r, 4 + V * C, 1);
        float[] embedScale = {(float) Math.sqrt(C)};
        int[] embedDims = EmbeddingKernels.dims(N, C, 4, 3); // token 3 is padding: its row learns nothing
        compare(Kernel.TOKEN_EMBEDDING_FORWARD, new Object[] {new float[N * C], tokens, table, embedScale, embedDims},
                a -> KernelCall.builder("test.token_embedding", Kernel.TOKEN_EMBEDDING_FORWARD).output((float[]) a[0])
                        .input((int[]) a[1]).state((float[]) a[2]).constant((float[]) a[3]).constant((int[]) a[4]).over(N));
        compare(Kernel.TOKEN_EMBEDDING_BACKWARD, new Object[] {gaussian(r, 4 + V * C, 1), gaussian(r, N * C, 1), tokens, embedScale,
                        embedDims},
                a -> KernelCall.builder("test.token_embedding_backward", Kernel.TOKEN_EMBEDDING_BACKWARD).state((float[]) a[0])
                        .input((float[]) a[1]).input((int[]) a[2]).constant((float[]) a[3]).constant((int[]) a[4]).over(C));
        int inner = 3 * C;
        int[] glu = GatedActivationKernels.dims(N, inner);
        float[] gu = gaussian(r, N * 2 * inner, 2);
        float[] dout = gaussian(r, N * inner, 1);
        for (Kernel[] pair : new Kernel[][] {{Kernel.SWIGLU_FORWARD, Kernel.SWIGLU_BACKWARD}, {Kernel.GEGLU_FORWARD, Kernel.GEGLU_BACKWARD}}) {
            compare(pair[0], new Object[] {new float[N * inner], gu, glu},
                    a -> KernelCall.builder("test.glu", pair[0]).output((float[]) a[0]).input((float[]) a[1])
                            .constant((int[]) a[2]).over(N * inner));
            compare(pair[1], new Object[] {new float[N * 2 * inner], dout, gu, glu},
                    a -> KernelCall.builder("test.glu_backward", pair[1]).output((float[]) a[0]).input((float[]) a[1])
                            .input((float[]) a[2]).constant((int[]) a[3]).over(N * inner));
        }
        int headDim = C / NH;
        float[][] tables = RotaryKernels.tables(T, headDim, 10000);
        int[] positions = new int[N];
        for (int i = 0; i < N; i++) {
            positions[i] = i % T;
        }
        int[] rope = RotaryKernels.dims(N, 3 * C, C, NH, headDim);
        for (Kernel k : new Kernel[] {Kernel.ROTARY_FORWARD, Kernel.ROTARY_BACKWARD}) {
            compare(k, new Object[] {gaussian(r, N * 3 * C, 1), tables[0], tables[1], positions, rope},
                    a -> KernelCall.builder("test.rope", k).state((float[]) a[0]).constant((float[]) a[1])
                            .constant((float[]) a[2]).input((int[]) a[3]).constant((int[]) a[4]).over(N * NH * headDim / 2));
        }
    }

    @Test
    void groupedQueryAttentionWithASlidingWindowMatchesTheJvm() {
        SplittableRandom r = new SplittableRandom(12);
        int nkv = NH / 2;
        int d = 8;
        float[] q = gaussian(r, N * NH * d, 1);
        float[] k = gaussian(r, N * nkv * d, 1);
        float[] v = gaussian(r, N * nkv * d, 1);
        float[] scale = {0.25f};
        int[] dims = GroupedAttentionKernels.dims(B, T, NH, nkv, d, 5);
        int range = B * NH * T;
        int probs = B * NH * T * T;
        compare(Kernel.GROUPED_ATTENTION_FORWARD, new Object[] {new float[N * NH * d], new float[probs], q, k, v, scale, dims},
                a -> KernelCall.builder("test.gqa", Kernel.GROUPED_ATTENTION_FORWARD).output((float[]) a[0]).output((float[]) a[1])
                        .input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4]).constant((float[]) a[5])
                        .constant((int[]) a[6]).over(range));
        float[] att = new float[probs];
        jvm.prepare(KernelCall.builder("test.gqa", Kernel.GROUPED_ATTENTION_FORWARD).output(new float[N * NH * d]).output(att)
                .input(q).input(k).input(v).constant(scale).constant(dims).over(range)).launch();
        float[] dout = gaussian(r, N * NH * d, 1);
        compare(Kernel.GROUPED_ATTENTION_BACKWARD_QUERY, new Object[] {new float[q.length], new float[probs], dout, k, v, att, scale, dims},
                a -> KernelCall.builder("test.gqa_dq", Kernel.GROUPED_ATTENTION_BACKWARD_QUERY).output((float[]) a[0])
                        .output((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .input((float[]) a[5]).constant((float[]) a[6]).constant((int[]) a[7]).over(range));
        float[] datt = new float[probs];
        jvm.prepare(KernelCall.builder("test.gqa_dq", Kernel.GROUPED_ATTENTION_BACKWARD_QUERY).output(new float[q.length])
                .output(datt).input(dout).input(k).input(v).input(att).constant(scale).constant(dims).over(range)).launch();
        compare(Kernel.GROUPED_ATTENTION_BACKWARD_KEY_VALUE, new Object[] {new float[k.length], new float[v.length], dout, q, att, datt,
                        scale, dims},
                a -> KernelCall.builder("test.gqa_dkv", Kernel.GROUPED_ATTENTION_BACKWARD_KEY_VALUE).output((float[]) a[0])
                        .output((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .input((float[]) a[5]).constant((float[]) a[6]).constant((int[]) a[7]).over(B * nkv * T));
        // one decoding step with a KV cache: row 0 at position 9, row 1 at position 3
        float[] kCache = gaussian(r, B * T * nkv * d, 1);
        float[] vCache = gaussian(r, B * T * nkv * d, 1);
        compare(Kernel.GROUPED_ATTENTION_DECODE, new Object[] {new float[B * NH * d], new float[B * NH * T], kCache, vCache,
                        gaussian(r, B * NH * d, 1), gaussian(r, B * nkv * d, 1), gaussian(r, B * nkv * d, 1), new int[] {9, 3}, scale, dims},
                a -> KernelCall.builder("test.gqa_decode", Kernel.GROUPED_ATTENTION_DECODE).output((float[]) a[0])
                        .output((float[]) a[1]).state((float[]) a[2]).state((float[]) a[3]).input((float[]) a[4])
                        .input((float[]) a[5]).input((float[]) a[6]).input((int[]) a[7]).constant((float[]) a[8])
                        .constant((int[]) a[9]).over(B * nkv));
    }

    // ---- element-wise ----

    @Test
    void elementwiseKernelsMatchTheJvm() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 4 * N * C;
        float[] x = gaussian(r, n, 3);
        x[0] = 40f;
        x[1] = -40f;
        compare(Kernel.GELU_FORWARD, new Object[] {new float[n], x},
                a -> KernelCall.builder("test.gelu", Kernel.GELU_FORWARD).output((float[]) a[0]).input((float[]) a[1]).over(n));
        compare(Kernel.GELU_BACKWARD, new Object[] {new float[n], x, gaussian(r, n, 1)},
                a -> KernelCall.builder("test.gelu_backward", Kernel.GELU_BACKWARD).output((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).over(n));
        compare(Kernel.GELU_BACKWARD_IN_PLACE, new Object[] {gaussian(r, n, 1), x},
                a -> KernelCall.builder("test.gelu_backward_in_place", Kernel.GELU_BACKWARD_IN_PLACE).state((float[]) a[0])
                        .input((float[]) a[1]).over(n));
        compare(Kernel.RESIDUAL_ADD_IN_PLACE, new Object[] {gaussian(r, n, 1), gaussian(r, n, 1)},
                a -> KernelCall.builder("test.residual_in_place", Kernel.RESIDUAL_ADD_IN_PLACE).state((float[]) a[0])
                        .input((float[]) a[1]).over(n));
        compare(Kernel.ZERO, new Object[] {gaussian(r, n, 1)},
                a -> KernelCall.builder("test.zero", Kernel.ZERO).state((float[]) a[0]).over(n));
        compare(Kernel.RESIDUAL_ADD, new Object[] {new float[n], x, gaussian(r, n, 1)},
                a -> KernelCall.builder("test.residual", Kernel.RESIDUAL_ADD).output((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).over(n));
    }

    // ---- attention ----

    @Test
    void attentionKernelsMatchTheJvm() {
        SplittableRandom r = new SplittableRandom(8);
        float[] qkv = gaussian(r, N * 3 * C, 1);
        int[] dims = AttentionKernels.dims(B, T, C, NH);
        int bnht = B * NH * T;
        compare(Kernel.ATTENTION_FORWARD, new Object[] {new float[N * C], new float[bnht * T], qkv, dims},
                a -> KernelCall.builder("test.attention", Kernel.ATTENTION_FORWARD).output((float[]) a[0])
                        .output((float[]) a[1]).input((float[]) a[2]).constant((int[]) a[3]).over(bnht));
        float[] att = new float[bnht * T];
        jvm.prepare(KernelCall.builder("test.attention", Kernel.ATTENTION_FORWARD).output(new float[N * C]).output(att)
                .input(qkv).constant(dims).over(bnht)).launch();
        float[] dout = gaussian(r, N * C, 1);
        float[] dqkv = gaussian(r, N * 3 * C, 1);
        compare(Kernel.ATTENTION_BACKWARD_QUERY, new Object[] {dqkv, new float[bnht * T], dout, qkv, att, dims},
                a -> KernelCall.builder("test.attention_dq", Kernel.ATTENTION_BACKWARD_QUERY).state((float[]) a[0])
                        .output((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .constant((int[]) a[5]).over(bnht));
        float[] datt = new float[bnht * T];
        jvm.prepare(KernelCall.builder("test.attention_dq", Kernel.ATTENTION_BACKWARD_QUERY).state(dqkv.clone())
                .output(datt).input(dout).input(qkv).input(att).constant(dims).over(bnht)).launch();
        compare(Kernel.ATTENTION_BACKWARD_KEY_VALUE, new Object[] {dqkv, dout, qkv, att, datt, dims},
                a -> KernelCall.builder("test.attention_dkv", Kernel.ATTENTION_BACKWARD_KEY_VALUE).state((float[]) a[0])
                        .input((float[]) a[1]).input((float[]) a[2]).input((float[]) a[3]).input((float[]) a[4])
                        .constant((int[]) a[5]).over(bnht));
        int maxT = T;
        int[] positions = {5, 11};
        float[] kCache = gaussian(r, B * maxT * C, 1);
        float[] vCache = gaussian(r, B * maxT * C, 1);
        compare(Kernel.ATTENTION_DECODE, new Object[] {new float[B * C], new float[B * NH * maxT], kCache, vCache,
                        gaussian(r, B * 3 * C, 1), positions, AttentionKernels.dims(B, maxT, C, NH)},
                a -> KernelCall.builder("test.attention_decode", Kernel.ATTENTION_DECODE).output((float[]) a[0])
                        .state((float[]) a[1]).state((float[]) a[2]).state((float[]) a[3]).input((float[]) a[4])
                        .input((int[]) a[5]).constant((int[]) a[6]).over(B * NH));
    }

    // ---- log-prob head ----

    @Test
    void logProbKernelsMatchTheJvm() {
        for (double tau : new double[] {1.0, 0.6}) {
            SplittableRandom r = new SplittableRandom(9);
            float[] logits = gaussian(r, N * V, 3);
            int[] targets = ints(r, N, V);
            targets[3] = -1;
            int[] dims = LogProbKernels.dims(N, V);
            float[] s = LogProbKernels.inverseTemperature(tau);
            compare(Kernel.LOG_PROB_FORWARD, new Object[] {new float[N], new float[N], logits, targets, s, dims},
                    a -> KernelCall.builder("test.log_prob", Kernel.LOG_PROB_FORWARD).output((float[]) a[0])
                            .output((float[]) a[1]).input((float[]) a[2]).input((int[]) a[3]).constant((float[]) a[4])
                            .constant((int[]) a[5]).over(N));
            float[] lse = new float[N];
            jvm.prepare(KernelCall.builder("test.log_prob", Kernel.LOG_PROB_FORWARD).output(new float[N]).output(lse)
                    .input(logits).input(targets).constant(s).constant(dims).over(N)).launch();
            compare(Kernel.LOG_PROB_BACKWARD, new Object[] {new float[N * V], logits, lse, targets, gaussian(r, N, 1), s, dims},
                    a -> KernelCall.builder("test.log_prob_backward", Kernel.LOG_PROB_BACKWARD).output((float[]) a[0])
                            .input((float[]) a[1]).input((float[]) a[2]).input((int[]) a[3]).input((float[]) a[4])
                            .constant((float[]) a[5]).constant((int[]) a[6]).over(N * V));
        }
    }
}
