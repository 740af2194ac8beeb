package org.rlcasino.io.deltas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.DeltaStreamReader;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.safetensors.SafetensorsCheckpoint;
import org.rlcasino.io.safetensors.SafetensorsWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeltaExtractorTest {
    @TempDir
    Path dir;

    /** Three tensors; each step changes a random tenth of the entries. */
    private List<Path> series(int checkpoints, Dtype dtype, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = new float[37 * 53];
        float[] b = new float[53];
        float[] e = new float[11];
        for (float[] t : List.of(w, b, e)) {
            for (int i = 0; i < t.length; i++) {
                t[i] = (float) random.nextGaussian();
            }
        }
        List<Path> paths = new ArrayList<>();
        for (int c = 0; c < checkpoints; c++) {
            if (c > 0) {
                for (float[] t : List.of(w, b, e)) {
                    for (int i = 0; i < t.length; i++) {
                        if (random.nextInt(10) == 0) {
                            t[i] += (float) (random.nextGaussian() * 1e-2);
                        }
                    }
                }
            }
            Path p = dir.resolve("checkpoint-" + (c * 10)).resolve("model.safetensors");
            Files.createDirectories(p.getParent());
            SafetensorsWriter.builder().metadata("format", "pt")
                    .add("h.0.w", dtype, new long[] {37, 53}, w)
                    .add("h.0.ln.bias", dtype, new long[] {53}, b)
                    .add("wte.weight", dtype, new long[] {11}, e)
                    .build().write(p);
            paths.add(p.getParent());
        }
        return paths;
    }

    private static float[] read(Path checkpoint, String tensor) throws IOException {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(checkpoint)) {
            return c.readFloats(tensor);
        }
    }

    @Test
    void deltasAreTheDifferencesOfConsecutiveCheckpointsAcrossChunkAndBatchBoundaries() throws IOException {
        checkDeltas(DeltaBasis.STEP);
    }

    @Test
    void startBasisDeltasAreTheDifferencesFromTheFirstCheckpoint() throws IOException {
        checkDeltas(DeltaBasis.START);
    }

    @Test
    void theDefaultBasisIsStartAsTheReferenceCode() {
        assertThat(DeltaExtractor.Options.defaults().basis()).isEqualTo(DeltaBasis.START);
    }

    private void checkDeltas(DeltaBasis basis) throws IOException {
        for (Dtype dtype : List.of(Dtype.F32, Dtype.BF16, Dtype.F16)) {
            List<Path> paths = series(4, dtype, 1);
            List<CheckpointRef> refs = CheckpointSeries.of(paths.stream().map(p -> p).toList());
            assertThat(refs).extracting(CheckpointRef::step).containsExactly(0, 10, 20, 30);
            Path out = dir.resolve("deltas-" + dtype + "-" + basis + ".arrow");
            DeltaExtractor.Options options = new DeltaExtractor.Options(TensorSelection.ALL, 0, new Batching(100, 700), 333, basis);
            DeltaExtractor.Result result = DeltaExtractor.extract(refs, out, options, Progress.NONE);
            assertThat(result.tensors()).isEqualTo(3);
            assertThat(result.elementsPerStep()).isEqualTo(37 * 53 + 53 + 11);
            assertThat(result.steps()).extracting(s -> s.step()).containsExactly(10, 20, 30);

            try (BufferAllocator allocator = new RootAllocator();
                 DeltaStreamReader reader = DeltaStreamReader.open(out, allocator)) {
                assertThat(reader.tensors().names()).containsExactly("h.0.w", "h.0.ln.bias", "wte.weight");
                assertThat(reader.tensors().get(0).dtype()).isEqualTo(dtype.safetensorsName());
                assertThat(reader.provenance()).containsEntry("tool", "casino deltas").containsEntry("basis", basis.label());
                assertThat(reader.basis()).isEqualTo(basis);
                int rows = 0;
                while (reader.next()) {
                    int step = reader.step();
                    String name = reader.tensor().name();
                    float[] after = read(paths.get(step / 10), name);
                    float[] before = read(paths.get(basis == DeltaBasis.STEP ? step / 10 - 1 : 0), name);
                    float[] got = new float[reader.length()];
                    reader.readValues(got, 0);
                    for (int i = 0; i < got.length; i++) {
                        int at = (int) reader.offset() + i;
                        assertThat(got[i]).as("%s step %d [%d]", name, step, at).isEqualTo(after[at] - before[at]);
                    }
                    rows++;
                }
                assertThat(rows).isGreaterThan(3 * 3);
            }
        }
    }

    @Test
    void toleranceZeroesSmallDeltasAndCountsThem() throws IOException {
        List<Path> paths = series(3, Dtype.F32, 2);
        Path out = dir.resolve("d.arrow");
        DeltaExtractor.Result exact = DeltaExtractor.extract(CheckpointSeries.of(paths), out,
                DeltaExtractor.Options.defaults(), Progress.NONE);
        assertThat(exact.zeroed()).isZero();
        DeltaExtractor.Result tolerant = DeltaExtractor.extract(CheckpointSeries.of(paths), out,
                DeltaExtractor.Options.defaults().withTolerance(1e-2), Progress.NONE);
        assertThat(tolerant.zeroed()).isPositive();
        try (BufferAllocator allocator = new RootAllocator();
             DeltaStreamReader reader = DeltaStreamReader.open(out, allocator)) {
            assertThat(reader.tolerance()).isEqualTo(1e-2);
            assertThat(reader.zeroed()).isEqualTo(tolerant.zeroed());
            while (reader.next()) {
                for (int i = 0; i < reader.length(); i++) {
                    float v = reader.value(i);
                    assertThat(v == 0f || Math.abs(v) >= 1e-2f).isTrue();
                }
            }
        }
    }

    @Test
    void includeAndExcludeSelectTensors() throws IOException {
        List<Path> paths = series(2, Dtype.F32, 3);
        Path out = dir.resolve("sel.arrow");
        TensorSelection selection = new TensorSelection(List.of("h.*"), List.of("*.ln.*"));
        DeltaExtractor.extract(CheckpointSeries.of(paths), out,
                DeltaExtractor.Options.defaults().withSelection(selection), Progress.NONE);
        try (BufferAllocator allocator = new RootAllocator();
             DeltaStreamReader reader = DeltaStreamReader.open(out, allocator)) {
            assertThat(reader.tensors().names()).containsExactly("h.0.w");
        }
        assertThatThrownBy(() -> DeltaExtractor.extract(CheckpointSeries.of(paths), dir.resolve("x.arrow"),
                DeltaExtractor.Options.defaults().withSelection(new TensorSelection(List.of("decoder.*"), List.of())),
                Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--include 'decoder.*' matches no tensor");
        assertThatThrownBy(() -> DeltaExtractor.extract(CheckpointSeries.of(paths), dir.resolve("x.arrow"),
                DeltaExtractor.Options.defaults().withSelection(new TensorSelection(List.of(), List.of("*"))),
                Progress.NONE))
                .hasMessageContaining("no tensor left");
        assertThat(Files.exists(dir.resolve("x.arrow"))).isFalse();
    }

    @Test
    void mismatchedCheckpointsAreRejectedWithTheDifferencesListed() throws IOException {
        List<Path> paths = series(2, Dtype.F32, 4);
        Path odd = dir.resolve("odd.safetensors");
        SafetensorsWriter.builder()
                .add("h.0.w", Dtype.F32, new long[] {53, 37}, new float[53 * 37])
                .add("h.0.ln.bias", Dtype.BF16, new long[] {53}, new float[53])
                .add("extra.weight", Dtype.F32, new long[] {2}, new float[2])
                .build().write(odd);
        Path out = dir.resolve("bad.arrow");
        assertThatThrownBy(() -> DeltaExtractor.extract(CheckpointSeries.of(List.of(paths.get(0), odd)), out,
                DeltaExtractor.Options.defaults(), Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 differences")
                .hasMessageContaining("'h.0.w' has shape [53, 37]")
                .hasMessageContaining("'h.0.ln.bias' is BF16")
                .hasMessageContaining("no tensor 'wte.weight'")
                .hasMessageContaining("extra tensor 'extra.weight'");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void aCorruptCheckpointLeavesNoOutputBehind() throws IOException {
        List<Path> paths = series(3, Dtype.F32, 5);
        Path last = paths.get(2).resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(last);
        Files.write(last, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        Path out = dir.resolve("partial.arrow");
        assertThatThrownBy(() -> DeltaExtractor.extract(CheckpointSeries.of(paths), out,
                DeltaExtractor.Options.defaults(), Progress.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("partial"));
        }
    }

    @Test
    void seriesAreOrderedByTheStepsInTheirNames() throws IOException {
        for (String name : List.of("step_5.safetensors", "step_40.safetensors", "step_100.safetensors", "notes.txt")) {
            Files.writeString(dir.resolve(name), "");
        }
        Files.createDirectories(dir.resolve("checkpoint-7"));
        List<CheckpointRef> refs = CheckpointSeries.scan(dir);
        assertThat(refs).extracting(CheckpointRef::step).containsExactly(5, 7, 40, 100);
        assertThat(CheckpointSeries.stepOf(Path.of("step-12"))).isEqualTo(12);
        assertThat(CheckpointSeries.stepOf(Path.of("model.safetensors"))).isNull();

        // explicit lists keep their order; names without steps are numbered by position
        Path a = Files.writeString(dir.resolve("a.safetensors"), "");
        Path b = Files.writeString(dir.resolve("b.safetensors"), "");
        assertThat(CheckpointSeries.of(List.of(a, b))).extracting(CheckpointRef::step).containsExactly(0, 1);
        assertThatThrownBy(() -> CheckpointSeries.of(List.of(a))).hasMessageContaining("at least two");
        assertThatThrownBy(() -> CheckpointSeries.of(List.of(a, dir.resolve("missing.safetensors"))))
                .hasMessageContaining("no such checkpoint");
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> CheckpointSeries.scan(dir.resolve("empty"))).hasMessageContaining("found 0 checkpoint");
        assertThatThrownBy(() -> CheckpointSeries.scan(a)).hasMessageContaining("not a directory");
    }
}
