package org.rlcasino.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code casino bench matmul} and {@code casino bench train} on tiny shapes, without torch. */
class BenchMatmulTrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void matmulPrintsEveryProductAndWritesJson() throws Exception {
        Path json = dir.resolve("matmul.json");
        CliRun r = CliRun.run("bench", "matmul", "--rows", "40", "--width", "24", "--vocab", "10", "--threads", "1,2",
                "--repeats", "2", "--reference-repeats", "1", "--warmup", "1", "--no-torch", "--json", json, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("attn.c_attn forward", "mlp.c_proj dW", "lm_head dX", "40x24x72",
                "all products (one block + head), 1 thread", "all products (one block + head), 2 threads");
        assertThat(Files.readString(json)).contains("rlcasino.bench.matmul", "fastGflops", "referenceGflops");
    }

    @Test
    void trainTimesDenseAndSparseArmsAndWritesJson() throws Exception {
        Path json = dir.resolve("train.json");
        CliRun r = CliRun.run("bench", "train", "--channels", "32", "--layers", "1", "--heads", "2", "--seq-len", "8",
                "--batch", "2", "--vocab", "16", "--threads", "2", "--repeats", "2", "--warmup", "1",
                "--sparsities", "90,99", "--no-torch", "--json", json, "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("GPT-2 C=32 L=1 NH=2 T=8 V=16, B=2", "java adamw", "java bsr-adamw 90.00%",
                "java bsr-adamw 99.00%", "tokens/s").doesNotContain("torch");
        assertThat(Files.readString(json)).contains("rlcasino.bench.train", "forwardBackward", "speedupVsDense",
                "gradientBlockFill", "\"hostToDeviceBytesPerStep\" : 0", "\"deviceToHostBytesPerStep\" : 0");
        assertThat(r.out()).as("the JVM moves nothing: no bus table").doesNotContain("bytes to device");
        // the per-kernel profile: every kernel of the step, the dense arm's dW kernel and the sparse arms' block-sparse one
        assertThat(r.out()).contains("Per kernel, ms per timed step", "MATMUL_TN", "BLOCK_SPARSE_MATMUL_TN", "ATTENTION_FORWARD",
                "LAYER_NORM_BACKWARD_INPUT", "ADAMW", "all kernels");
        assertThat(Files.readString(json)).contains("\"kernels\"", "\"launchesPerStep\"", "\"msPerStep\"", "\"MATMUL_NT\"");
        CliRun frozen = CliRun.run("bench", "train", "--channels", "32", "--layers", "1", "--heads", "2", "--seq-len", "8",
                "--batch", "2", "--vocab", "16", "--threads", "1", "--repeats", "1", "--warmup", "0",
                "--sparsities", "97.5", "--frozen-embeddings", "--no-torch", "--quiet");
        assertThat(frozen.code()).as(frozen.err()).isZero();
        assertThat(frozen.out()).contains("embeddings (wte, wpe) frozen", "random 16x16 blocks", "dW only in the 16x16 blocks");
        CliRun element = CliRun.run("bench", "train", "--channels", "32", "--layers", "1", "--heads", "2", "--seq-len", "8",
                "--batch", "2", "--vocab", "16", "--threads", "1", "--repeats", "1", "--warmup", "0",
                "--sparsities", "97.5", "--mask-shape", "element", "--no-torch", "--quiet");
        assertThat(element.code()).as(element.err()).isZero();
        assertThat(element.out()).contains("random entries", "dW only in the 16x16 blocks");
        // any family's Hugging Face directory, its own weights, T from --seq-len
        CliRun gemma = CliRun.run("bench", "train", "--model", "../train/src/test/resources/families/gemma3-model", "--seq-len", "8",
                "--batch", "2", "--threads", "1", "--repeats", "1", "--warmup", "0", "--sparsities", "90", "--mask-shape", "4x4",
                "--frozen-embeddings", "--quiet");
        assertThat(gemma.code()).as(gemma.err()).isZero();
        assertThat(gemma.out()).contains("gemma3_text", "T=8 V=50, B=2", "embeddings (embed_tokens) frozen", "java bsr-adamw 90.00%",
                "RMS_NORM_FORWARD").doesNotContain("torch");
        assertThat(CliRun.run("bench", "train", "--mask-shape", "diagonal", "--no-torch", "--quiet").err())
                .contains("--mask-shape must be block16, block32, row64, element or RxC");
    }

    @Test
    void aMissingPythonOmitsTorchWithTheReason() {
        CliRun r = CliRun.run("bench", "train", "--channels", "16", "--layers", "1", "--heads", "2", "--seq-len", "4",
                "--batch", "1", "--vocab", "8", "--threads", "1", "--repeats", "1", "--warmup", "0",
                "--sparsities", "90", "--python", dir.resolve("no-python").toString(), "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("PyTorch omitted:", "no-python not found");
    }

    @Test
    void badInputExits2() {
        assertThat(CliRun.run("bench", "train", "--heads", "3", "--no-torch", "--quiet").code()).isEqualTo(2);
        assertThat(CliRun.run("bench", "train", "--block", "16", "--no-torch", "--quiet").code()).isEqualTo(2);
        assertThat(CliRun.run("bench", "train", "--sparsities", "100", "--no-torch", "--quiet").code()).isEqualTo(2);
        CliRun noBackend = CliRun.run("bench", "train", "--backend", "cuda", "--no-torch", "--quiet");
        assertThat(noBackend.code()).isEqualTo(2);
        assertThat(noBackend.err()).contains("unknown backend 'cuda'");
        assertThat(CliRun.run("bench", "train", "--device", "gpu0", "--no-torch", "--quiet").err())
                .contains("--device must look like 0:0");
        assertThat(CliRun.run("bench", "matmul", "--rows", "0", "--no-torch", "--quiet").code()).isEqualTo(2);
        assertThat(CliRun.run("bench", "matmul", "--threads", "0", "--no-torch", "--quiet").code()).isEqualTo(2);
    }
}
