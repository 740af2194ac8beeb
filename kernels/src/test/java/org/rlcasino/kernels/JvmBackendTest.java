package org.rlcasino.kernels;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JvmBackendTest {

    /** While a profile is set, each launch adds one launch and its time to its kernel; programs' calls too; null stops it. */
    @Test
    void aProfileCountsEveryLaunchPerKernelWhileItIsSet() {
        float[] x = new float[1000];
        float[] y = new float[1000];
        try (JvmBackend backend = new JvmBackend(2, 64)) {
            KernelLaunch zero = backend.prepare(KernelCall.builder("t.zero", Kernel.ZERO).state(x).over(x.length));
            ProgramLaunch program = backend.prepare(KernelProgram.builder("t.program")
                    .call(KernelCall.builder("t.add", Kernel.RESIDUAL_ADD_IN_PLACE).state(x).input(y).over(x.length))
                    .call(KernelCall.builder("t.zero_y", Kernel.ZERO).state(y).over(y.length)).build());
            zero.launch(); // before: not counted
            KernelProfile profile = new KernelProfile();
            backend.profile(profile);
            zero.launch();
            zero.launch();
            program.run();
            backend.profile(null);
            zero.launch(); // after: not counted
            var entries = profile.entries();
            assertThat(entries).extracting(KernelProfile.Entry::kernel)
                    .containsExactlyInAnyOrder(Kernel.ZERO, Kernel.RESIDUAL_ADD_IN_PLACE);
            assertThat(entries).filteredOn(e -> e.kernel() == Kernel.ZERO).first().extracting(KernelProfile.Entry::launches)
                    .isEqualTo(3L);
            assertThat(entries).allSatisfy(e -> assertThat(e.nanos()).isPositive());
            assertThat(profile.totalNanos()).isEqualTo(entries.stream().mapToLong(KernelProfile.Entry::nanos).sum());
            assertThat(entries.get(0).nanos()).isGreaterThanOrEqualTo(entries.get(1).nanos());
        }
    }

    @Test
    void rejectsBadConstructorArguments() {
        assertThatThrownBy(() -> new JvmBackend(0, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
        assertThatThrownBy(() -> new JvmBackend(-3, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threads");
        assertThatThrownBy(() -> new JvmBackend(2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunkSize");
        assertThatThrownBy(() -> new JvmBackend(1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunkSize");
    }

    @Test
    void describesItself() {
        try (JvmBackend one = new JvmBackend(1, 8); JvmBackend three = new JvmBackend(3, 5)) {
            assertThat(one.name()).isEqualTo("jvm(1 thread)");
            assertThat(three.name()).isEqualTo("jvm(3 threads)");
            assertThat(one.parallelism()).isEqualTo(1);
            assertThat(three.parallelism()).isEqualTo(3);
            assertThat(three.chunkSize()).isEqualTo(5);
        }
        try (JvmBackend available = JvmBackend.withAvailableProcessors()) {
            assertThat(available.parallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(available.chunkSize()).isEqualTo(JvmBackend.DEFAULT_CHUNK_SIZE);
        }
    }

    @Test
    void emptyRangeRunsNothing() {
        try (JvmBackend backend = new JvmBackend(2, 4)) {
            AtomicInteger calls = new AtomicInteger();
            backend.run("test.empty", 0, (offset, count) -> calls.incrementAndGet());
            assertThat(calls).hasValue(0);
        }
    }

    @Test
    void negativeRangeIsRejectedNamingTheTask() {
        try (JvmBackend backend = new JvmBackend(2, 4)) {
            assertThatThrownBy(() -> backend.run("test.negative", -1, (offset, count) -> { }))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("test.negative").hasMessageContaining("-1");
        }
    }

    @ParameterizedTest(name = "threads={0} chunk={1} n={2}")
    @CsvSource({
            "1, 1, 1", "1, 7, 100", "1, 16384, 1000",
            "2, 7, 100", "2, 7, 7", "2, 7, 8", "2, 100, 99",
            "4, 1, 257", "4, 3, 1000", "3, 16384, 50000", "3, 1000, 50000", "8, 13, 4099"})
    void coversEveryIterationExactlyOnceInChunksOfAtMostChunkSize(int threads, int chunk, int n) {
        try (JvmBackend backend = new JvmBackend(threads, chunk)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(n);
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger badChunks = new AtomicInteger();
            backend.run("test.cover", n, (offset, count) -> {
                calls.incrementAndGet();
                if (count < 1 || count > chunk || offset % chunk != 0 || offset + count > n) {
                    badChunks.incrementAndGet();
                }
                for (int k = 0; k < count; k++) {
                    hits.incrementAndGet(offset + k);
                }
            });
            assertThat(badChunks).hasValue(0);
            assertThat(calls).hasValue((n + chunk - 1) / chunk);
            for (int i = 0; i < n; i++) {
                if (hits.get(i) != 1) {
                    throw new AssertionError("iteration " + i + " ran " + hits.get(i) + " times");
                }
            }
        }
    }

    @Test
    void singleThreadRunsOnTheCaller() {
        try (JvmBackend backend = new JvmBackend(1, 3)) {
            Thread caller = Thread.currentThread();
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            backend.run("test.caller", 100, (offset, count) -> seen.add(Thread.currentThread()));
            assertThat(seen).containsExactly(caller);
        }
    }

    @Test
    void usesAtMostItsThreadCount() {
        try (JvmBackend backend = new JvmBackend(3, 1)) {
            Set<Thread> seen = ConcurrentHashMap.newKeySet();
            for (int rep = 0; rep < 20; rep++) {
                backend.run("test.threads", 200, (offset, count) -> seen.add(Thread.currentThread()));
            }
            assertThat(seen.size()).isBetween(1, 3);
        }
    }

    @Test
    void writesAreVisibleToTheCallerAfterRun() {
        try (JvmBackend backend = new JvmBackend(4, 5)) {
            for (int rep = 0; rep < 50; rep++) {
                int[] out = new int[997];
                int r = rep;
                backend.run("test.visible", out.length, (offset, count) -> {
                    for (int k = 0; k < count; k++) {
                        out[offset + k] = offset + k + r;
                    }
                });
                for (int i = 0; i < out.length; i++) {
                    assertThat(out[i]).isEqualTo(i + r);
                }
            }
        }
    }

    @ParameterizedTest(name = "threads={0} chunk={1} failing chunk at {2}")
    @CsvSource({"1, 10, 0", "1, 10, 50", "2, 10, 0", "2, 10, 90", "4, 1, 0", "4, 1, 57", "4, 1, 99", "3, 100, 0"})
    void exceptionInAKernelPropagatesAndTheBackendStaysUsable(int threads, int chunk, int failingIteration) {
        try (JvmBackend backend = new JvmBackend(threads, chunk)) {
            IllegalStateException boom = new IllegalStateException("boom");
            assertThatThrownBy(() -> backend.run("test.fail", 100, (offset, count) -> {
                if (failingIteration >= offset && failingIteration < offset + count) {
                    throw boom;
                }
            })).isSameAs(boom);

            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            backend.run("test.after", 100, (offset, count) -> {
                for (int k = 0; k < count; k++) {
                    hits.incrementAndGet(offset + k);
                }
            });
            for (int i = 0; i < 100; i++) {
                assertThat(hits.get(i)).isEqualTo(1);
            }
        }
    }

    @Test
    void exceptionInEveryChunkPropagatesOnce() {
        try (JvmBackend backend = new JvmBackend(4, 1)) {
            assertThatThrownBy(() -> backend.run("test.all_fail", 64, (offset, count) -> {
                throw new IllegalArgumentException("chunk " + offset);
            })).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("chunk ");
        }
    }

    @Test
    void closeIsIdempotent() {
        JvmBackend backend = new JvmBackend(2, 4);
        backend.close();
        backend.close();
        JvmBackend sequential = new JvmBackend(1, 4);
        sequential.close();
        sequential.close();
    }
}
