package org.rlcasino.train.model;

import java.util.Arrays;
import java.util.SplittableRandom;

import java.util.Map;
import java.util.TreeMap;

import org.rlcasino.tasks.Backend;
import org.rlcasino.tasks.JvmBackend;
import org.rlcasino.tasks.KernelCall;
import org.rlcasino.tasks.KernelLaunch;
import org.rlcasino.tasks.KernelProgram;
import org.rlcasino.tasks.ProgramLaunch;

/**
 * Times forward and backward of one training step on the JVM backend (not a test; prints figures).
 * Usage: {@code GptModelStepBenchmark [threads] [C L NH T B V] [steps]}; defaults: 2 threads, the
 * issue's shape C=256, L=4, NH=4, T=64, B=16, V=64, 10 timed steps after 3 warm-up steps.
 */
public final class GptModelStepBenchmark {
    private GptModelStepBenchmark() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int c = args.length > 6 ? Integer.parseInt(args[1]) : 256;
        int l = args.length > 6 ? Integer.parseInt(args[2]) : 4;
        int nh = args.length > 6 ? Integer.parseInt(args[3]) : 4;
        int t = args.length > 6 ? Integer.parseInt(args[4]) : 64;
        int b = args.length > 6 ? Integer.parseInt(args[5]) : 16;
        int v = args.length > 6 ? Integer.parseInt(args[6]) : 64;
        int steps = args.length > 7 ? Integer.parseInt(args[7]) : 10;
        GptConfig config = new GptConfig(v, t, l, nh, c);
        try (JvmBackend jvm = new JvmBackend(threads, JvmBackend.DEFAULT_CHUNK_SIZE);
             TimingBackend backend = new TimingBackend(jvm);
             GptModel model = new GptModel(config, backend)) {
            model.initialize(1);
            SplittableRandom r = new SplittableRandom(2);
            int[] tokens = r.ints(b * t, 0, v).toArray();
            int[] targets = r.ints(b * t, 0, v).toArray();
            float[] dlogp = new float[b * t];
            Arrays.fill(dlogp, -1f / (b * t));
            long[] fwd = new long[steps];
            long[] bwd = new long[steps];
            for (int s = -3; s < steps; s++) {
                model.zeroGradients();
                long t0 = System.nanoTime();
                model.forward(tokens, targets, b, t);
                long t1 = System.nanoTime();
                model.backward(dlogp);
                long t2 = System.nanoTime();
                if (s == -1) {
                    backend.nanos.clear();
                }
                if (s >= 0) {
                    fwd[s] = t1 - t0;
                    bwd[s] = t2 - t1;
                }
            }
            Arrays.sort(fwd);
            Arrays.sort(bwd);
            double flops = 6.0 * b * t * (12.0 * l * c * c + (double) v * c) + 6.0 * b * l * t * t * c; // fwd+bwd matmuls
            double total = (fwd[steps / 2] + bwd[steps / 2]) / 1e6;
            System.out.printf("GPT-2 C=%d L=%d NH=%d T=%d B=%d V=%d (%d params), %s: forward %.1f ms, backward %.1f ms, "
                            + "step %.1f ms (medians of %d), %.1f GFLOP/s%n", c, l, nh, t, b, v, config.parameterCount(),
                    backend.name(), fwd[steps / 2] / 1e6, bwd[steps / 2] / 1e6, total, steps, flops / total / 1e6);
            long all = backend.nanos.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Long> byKernel = new TreeMap<>();
            backend.kernels.forEach((task, kernel) -> byKernel.merge(kernel, backend.nanos.getOrDefault(task, 0L), Long::sum));
            System.out.println("time per kernel (share of all launches):");
            byKernel.forEach((kernel, ns) -> System.out.printf("  %-30s %6.1f ms/step %5.1f %%%n", kernel,
                    ns / 1e6 / steps, 100.0 * ns / all));
        }
    }

    /** Delegates to a backend and adds up the wall time of every launch per task. */
    private static final class TimingBackend implements Backend {
        private final Backend delegate;
        final Map<String, Long> nanos = new TreeMap<>();
        final Map<String, String> kernels = new TreeMap<>();

        TimingBackend(Backend delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public int parallelism() {
            return delegate.parallelism();
        }

        @Override
        public KernelLaunch prepare(KernelCall call) {
            KernelLaunch inner = delegate.prepare(call);
            kernels.put(call.task(), call.kernel().name());
            return new KernelLaunch() {
                @Override
                public KernelCall call() {
                    return call;
                }

                @Override
                public void launch() {
                    long t0 = System.nanoTime();
                    inner.launch();
                    nanos.merge(call.task(), System.nanoTime() - t0, Long::sum);
                }
            };
        }

        @Override
        public ProgramLaunch prepare(KernelProgram program) {
            return ProgramLaunch.sequential(program, this::prepare);
        }

        @Override
        public void syncToHost(Object array) {
            delegate.syncToHost(array);
        }

        @Override
        public void close() {
        }
    }
}
