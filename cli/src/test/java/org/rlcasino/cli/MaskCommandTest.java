package org.rlcasino.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.arrow.ScoreFileInfo;
import org.rlcasino.io.arrow.ScoreFileWriter;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.io.safetensors.SafetensorsFile;

import static org.assertj.core.api.Assertions.assertThat;

class MaskCommandTest {
    @TempDir
    Path dir;

    private Path scores() throws IOException {
        Path p = dir.resolve("scores.arrow");
        TensorTable tensors = TensorTable.of(TensorInfo.f32("a.weight", 10, 20), TensorInfo.f32("a.bias", 40));
        try (BufferAllocator allocator = new RootAllocator();
             ScoreFileWriter w = ScoreFileWriter.create(p, tensors, new ScoreFileInfo("magnitude", Map.of(), List.of(1, 2)),
                     Map.of(), Batching.DEFAULTS, allocator)) {
            float[] a = new float[200];
            for (int i = 0; i < 200; i++) {
                a[i] = (i * 37) % 101;
            }
            float[] b = new float[40];
            for (int i = 0; i < 40; i++) {
                b[i] = i % 7;
            }
            w.writeChunk(0, 0, a, 0, 200);
            w.writeChunk(1, 0, b, 0, 40);
            w.finish();
        }
        return p;
    }

    @Test
    void buildsAnExactMaskWithSafetensorsAndItsComplement() throws IOException {
        Path s = scores();
        Path m = dir.resolve("mask.arrow");
        Path st = dir.resolve("mask.safetensors");
        CliRun r = CliRun.run("mask", "--scores", s, "--sparsity", "90", "--out", m, "--safetensors", st, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("global-topk", "kept 24 of 240", "achieved 90.0000%", "a.weight", "a.bias");
        try (BufferAllocator allocator = new RootAllocator(); MaskFileReader in = MaskFileReader.open(m, allocator)) {
            assertThat(in.summary().achievedSparsity()).isEqualTo(0.9);
            long tied = in.summary().tiedAtCut().orElseThrow();
            assertThat(tied).isPositive();
            assertThat(r.out()).contains(String.format(java.util.Locale.ROOT, "kept 24 of 240 entries, %d tied at the cut (tie share %.2f%%, 0 of them zeros)",
                    tied, tied * 100.0 / 24));
        }
        try (SafetensorsFile f = SafetensorsFile.open(st)) {
            assertThat(f.tensors()).hasSize(2);
        }
        Path c = dir.resolve("complement.arrow");
        CliRun rc = CliRun.run("mask", "--complement", m, "--out", c, "--quiet");
        assertThat(rc.code()).as(rc.err()).isZero();
        assertThat(rc.out()).contains("sparsity 10.0000%");
        for (String b : List.of("sampled", "per-tensor", "random", "block")) {
            CliRun rb = CliRun.run("mask", "--scores", s, "--sparsity", "75", "--builder", b, "--block", "4", "--out",
                    dir.resolve(b + ".arrow"), "--quiet");
            assertThat(rb.code()).as(b + ": " + rb.err()).isZero();
        }
        // rectangular blocks and stripes: the file stores the shape
        for (String shape : List.of("2x8", "1x8", "8x1")) {
            Path out = dir.resolve("block-" + shape + ".arrow");
            CliRun rs = CliRun.run("mask", "--scores", s, "--sparsity", "75", "--builder", "block", "--block", shape, "--out", out,
                    "--quiet");
            assertThat(rs.code()).as(shape + ": " + rs.err()).isZero();
            try (BufferAllocator allocator = new RootAllocator(); MaskFileReader in = MaskFileReader.open(out, allocator)) {
                assertThat(in.nextTensor().blocks().shape()).hasToString(shape);
            }
        }
        CliRun bad = CliRun.run("mask", "--scores", s, "--sparsity", "75", "--builder", "block", "--block", "0x4", "--out",
                dir.resolve("bad.arrow"));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--block: a block shape must be RxC");
    }

    @Test
    void badInputExitsWithTwoAndOneLine() throws IOException {
        Path s = scores();
        Path m = dir.resolve("mask.arrow");
        CliRun r = CliRun.run("mask", "--scores", s, "--sparsity", "100", "--out", m);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--sparsity must be a percentage in [0, 100)");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
        assertThat(CliRun.run("mask", "--scores", s, "--sparsity", "-1", "--out", m).code()).isEqualTo(2);
        CliRun builder = CliRun.run("mask", "--scores", s, "--sparsity", "50", "--builder", "magic", "--out", m);
        assertThat(builder.code()).isEqualTo(2);
        assertThat(builder.err()).contains("--builder must be");
        Path notScores = dir.resolve("x.arrow");
        Files.writeString(notScores, "not an arrow file");
        CliRun ns = CliRun.run("mask", "--scores", notScores, "--sparsity", "50", "--out", m);
        assertThat(ns.code()).as(ns.err()).isEqualTo(2);
        assertThat(ns.err().strip().lines().count()).isEqualTo(1);
        CliRun missing = CliRun.run("mask", "--scores", dir.resolve("none.arrow"), "--sparsity", "50", "--out", m);
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
        assertThat(Files.exists(m)).isFalse();
    }

    @Test
    void aScoreFileDamagedAfterItWasWrittenExitsWithTwoNamingTheFileAndBatch() throws IOException {
        Path s = scores();
        byte[] bytes = Files.readAllBytes(s);
        // the little-endian bytes of the score 100.0f (0x42c80000), which only the values buffer holds
        int at = indexOf(bytes, new byte[] {0, 0, (byte) 0xc8, 0x42});
        assertThat(at).as("position of a score of 100").isPositive();
        bytes[at + 2] ^= 1;   // 100.0f becomes 100.5f: a finite score nothing else would catch
        Path damaged = dir.resolve("damaged-scores.arrow");
        Files.write(damaged, bytes);
        Path m = dir.resolve("mask.arrow");
        CliRun r = CliRun.run("mask", "--scores", damaged, "--sparsity", "90", "--out", m);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("damaged-scores.arrow: record batch 0 is corrupt (CRC32C mismatch",
                "the file was damaged after it was written", "produce it again with casino score");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
        assertThat(Files.exists(m)).isFalse();
    }

    private static int indexOf(byte[] bytes, byte[] pattern) {
        for (int i = 0; i + pattern.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + pattern.length, pattern, 0, pattern.length)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void floorReservesInsideTheBudgetOrIsRefused() throws IOException {
        Path s = scores();
        Path m = dir.resolve("floor.arrow");
        // floors ⌊0.05·200⌋ + ⌊0.05·40⌋ = 12 of k = 24
        CliRun r = CliRun.run("mask", "--scores", s, "--sparsity", "90", "--floor", "0.05", "--out", m, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("kept 24 of 240 entries");
        CliRun refused = CliRun.run("mask", "--scores", s, "--sparsity", "90", "--floor", "0.5", "--out", dir.resolve("f2.arrow"));
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("--floor 0.5 reserves 120 entries", "keeps only k = 24 of 240");
        assertThat(dir.resolve("f2.arrow")).doesNotExist();
    }

    @Test
    void emptySelectionIsBadInput() throws IOException {
        Path p = dir.resolve("empty.arrow");
        try (BufferAllocator allocator = new RootAllocator();
             ScoreFileWriter w = ScoreFileWriter.create(p, TensorTable.of(TensorInfo.f32("z", 0)),
                     new ScoreFileInfo("magnitude", Map.of(), List.of(1, 2)), Map.of(), Batching.DEFAULTS, allocator)) {
            w.finish();
        }
        CliRun r = CliRun.run("mask", "--scores", p, "--sparsity", "50", "--out", dir.resolve("m.arrow"));
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains("no entries");
    }

    @Test
    void outputsThatAreInputsOrEachOtherAreRefusedAndTheInputsKept() throws IOException {
        Path s = scores();
        byte[] before = Files.readAllBytes(s);
        CliRun r = CliRun.run("mask", "--scores", s, "--sparsity", "90", "-o", s, "--quiet");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("-o " + s + " is the input --scores " + s);
        assertThat(Files.readAllBytes(s)).isEqualTo(before);

        Path m = dir.resolve("m.arrow");
        CliRun twins = CliRun.run("mask", "--scores", s, "--sparsity", "90", "-o", m, "--safetensors", m, "--quiet");
        assertThat(twins.code()).isEqualTo(2);
        assertThat(twins.err()).contains("-o " + m + " and --safetensors " + m + " name the same file");
        assertThat(m).doesNotExist();

        assertThat(CliRun.run("mask", "--scores", s, "--sparsity", "90", "-o", m, "--quiet").code()).isZero();
        byte[] mask = Files.readAllBytes(m);
        CliRun complement = CliRun.run("mask", "--complement", m, "-o", dir.resolve("c.arrow"), "--safetensors", m, "--quiet");
        assertThat(complement.code()).isEqualTo(2);
        assertThat(complement.err()).contains("--safetensors " + m + " is the input --complement " + m);
        assertThat(Files.readAllBytes(m)).isEqualTo(mask);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("scores.arrow", "m.arrow");
        }
    }

    @Test
    void sparsityLikeAFractionWarnsAndOneThatKeepsNothingIsRefused() throws IOException {
        Path s = scores();
        Path m = dir.resolve("m.arrow");
        CliRun fraction = CliRun.run("mask", "--scores", s, "--sparsity", "0.97", "-o", m, "--quiet");
        assertThat(fraction.code()).as(fraction.err()).isZero();
        assertThat(fraction.err()).contains("warning: --sparsity is a percentage: 0.97 keeps 99.03% of the entries; "
                + "for 97% sparsity write --sparsity 97");
        CliRun nothing = CliRun.run("mask", "--scores", s, "--sparsity", "99.9", "-o", dir.resolve("none.arrow"), "--quiet");
        assertThat(nothing.code()).isEqualTo(2);
        assertThat(nothing.err()).contains("--sparsity 99.9 keeps 0 of the 240 entries", "lower the sparsity below 99.58333333%");
        assertThat(dir.resolve("none.arrow")).doesNotExist();
    }

    @Test
    void theMaskAndItsSafetensorsTwinAppearTogetherAndLeaveNoTemporaries() throws IOException {
        Path s = scores();
        Path m = dir.resolve("twin.arrow");
        Path st = dir.resolve("twin.safetensors");
        CliRun r = CliRun.run("mask", "--scores", s, "--sparsity", "50", "-o", m, "--safetensors", st, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + m, "wrote " + st);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("scores.arrow", "twin.arrow", "twin.safetensors");
        }
    }

    @Test
    void aSymbolicLinkOutputIsWrittenThrough() throws IOException {
        Path s = scores();
        Path real = dir.resolve("masks/real.arrow");
        Files.createDirectories(real.getParent());
        Path link = Files.createSymbolicLink(dir.resolve("latest.arrow"), real);
        CliRun r = CliRun.run("mask", "--scores", s, "--sparsity", "50", "-o", link, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(real).isRegularFile();
    }
}
