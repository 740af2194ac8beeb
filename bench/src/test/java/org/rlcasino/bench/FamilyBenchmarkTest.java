package org.rlcasino.bench;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rlcasino.io.InsufficientHeapException;
import org.rlcasino.io.Progress;
import org.rlcasino.io.hf.DecoderConfig;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.train.family.DecoderModel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link FamilyBenchmark} on the tiny size: every family runs, with its parameter count and positive figures (no timed assertions). */
class FamilyBenchmarkTest {
    @Test
    void tinyModelsOfEveryFamilyRunWithTheirParameterCounts() {
        FamilyBenchmark.Config config = new FamilyBenchmark.Config(FamilyBenchmark.DEFAULT_FAMILIES, List.of("tiny"), 2, 16,
                List.of(1), 0, 1, 7);
        FamilyBenchmark.Result result = FamilyBenchmark.run(config, Progress.NONE);
        assertThat(result.rows()).extracting(FamilyBenchmark.Row::family).containsExactly("llama", "qwen2", "qwen3", "gemma3_text");
        // hidden 64, 2 layers, 4 heads of 16, 2 KV heads, MLP 128, vocabulary 512: embedding 32,768; per layer q 4,096,
        // k and v 2,048 each, o 4,096, MLP 24,576, two norms 128; final norm 64; an untied head 32,768
        assertThat(result.rows()).extracting(FamilyBenchmark.Row::params)
                .containsExactly(139_584L,                 // llama
                        139_584L + 2 * (64 + 32 + 32),     // qwen2: q/k/v biases
                        139_584L + 2 * (16 + 16),          // qwen3: q/k norms
                        139_584L - 32_768 + 2 * (16 + 16) + 2 * 2 * 64); // gemma 3: tied head, q/k norms, two more norms
        for (FamilyBenchmark.Row r : result.rows()) {
            DecoderConfig c = FamilyBenchmark.config(r.family(), FamilyBenchmark.size("tiny"), 16);
            assertThat(r.params()).as(r.family()).isEqualTo(c.parameterCount());
            assertThat(r.tiedEmbeddings()).as(r.family()).isEqualTo(r.family().equals("gemma3_text"));
            assertThat(r.batch() * r.seqLen()).isEqualTo(32);
            assertThat(r.forward().medianMs()).isPositive();
            assertThat(r.forwardTokensPerSecond()).isPositive().isFinite();
            assertThat(r.step().medianMs()).isPositive();
            assertThat(r.stepTokensPerSecond()).isPositive().isFinite();
            assertThat(r.step().medianMs()).isGreaterThanOrEqualTo(r.optimizer().medianMs());
            assertThat(r.kernels()).extracting(TrainStepBenchmark.KernelTime::kernel).contains("ADAMW", "MATMUL_NT");
            assertThat(r.heapBytes()).isGreaterThan(16 * r.params());
        }
        assertThat(FamilyBenchmark.table(result, true)).contains("gemma3_text", "tiny", "139,584", "step tok/s", "per kernel");
    }

    @Test
    void theHundredMillionSizeHasItsCountsAndGemmaItsSlidingLayers() {
        FamilyBenchmark.Size size = FamilyBenchmark.size("100M");
        DecoderConfig llama = FamilyBenchmark.config("llama", size, 128);
        DecoderConfig gemma = FamilyBenchmark.config("gemma3_text", size, 128);
        assertThat(gemma.parameterCount()).isBetween(95_000_000L, 105_000_000L);
        assertThat(llama.parameterCount()).isEqualTo(gemma.parameterCount() + 32000L * 768 - 12L * (2 * 64 + 2 * 768));
        assertThat(gemma.slidingLayers()).containsExactly(true, true, true, true, true, false, true, true, true, true, true, false);
        assertThat(gemma.slidingWindow()).isEqualTo(64);
        assertThat(FamilyBenchmark.heapBytes(llama, 4, 128)).isBetween(16 * llama.parameterCount(), 24 * llama.parameterCount());
    }

    @Test
    void normsStartAtTheirIdentity() {
        try (JvmBackend backend = new JvmBackend(1, 1 << 14)) {
            for (String family : List.of("qwen3", "gemma3_text")) {
                try (DecoderModel model = new DecoderModel(FamilyBenchmark.config(family, FamilyBenchmark.size("tiny"), 8), backend)) {
                    model.initialize(3);
                    float identity = family.equals("gemma3_text") ? 0f : 1f;
                    float[] p = model.parameters();
                    for (var t : model.layout().tensors()) {
                        if (t.name().endsWith("norm.weight")) {
                            assertThat(p[t.offset()]).as(t.name()).isEqualTo(identity);
                        }
                    }
                    var q = model.layout().tensor("model.layers.0.self_attn.q_proj.weight");
                    double sum = 0;
                    for (int i = q.offset(); i < q.offset() + q.size(); i++) {
                        sum += (double) p[i] * p[i];
                    }
                    assertThat(Math.sqrt(sum / q.size())).isBetween(0.018, 0.022);
                }
            }
        }
    }

    @Test
    void modelsAreGroupedToFitTheHeapAndOneThatCannotFitIsRefusedWithItsEstimate() {
        FamilyBenchmark.Config config = new FamilyBenchmark.Config(FamilyBenchmark.DEFAULT_FAMILIES, List.of("100m"), null, null,
                List.of(1), 0, 1, 1);
        List<FamilyBenchmark.Member> members = FamilyBenchmark.members(config);
        long largest = members.stream().mapToLong(FamilyBenchmark.Member::heapBytes).max().orElseThrow();
        long all = members.stream().mapToLong(FamilyBenchmark.Member::heapBytes).sum();
        assertThat(FamilyBenchmark.groups(members, all + FamilyBenchmark.HEAP_MARGIN)).hasSize(1);
        assertThat(FamilyBenchmark.groups(members, largest + FamilyBenchmark.HEAP_MARGIN)).hasSize(4);
        assertThatThrownBy(() -> FamilyBenchmark.groups(members, 1L << 30)).isInstanceOf(InsufficientHeapException.class)
                .hasMessageContaining("llama 100m").hasMessageContaining("124,");
        assertThatThrownBy(() -> new FamilyBenchmark.Config(List.of("gpt2"), List.of("tiny"), null, null, List.of(1), 0, 1, 1))
                .hasMessageContaining("not supported");
        assertThatThrownBy(() -> FamilyBenchmark.size("1b")).hasMessageContaining("tiny, 100m");
    }
}
