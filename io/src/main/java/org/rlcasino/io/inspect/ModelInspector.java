package org.rlcasino.io.inspect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.rlcasino.io.hf.DecoderConfig;

/**
 * A Hugging Face model directory ({@code config.json}, and the weights when present): the family,
 * its sizes, parameters per tensor group, and the memory training needs dense and with BSR-AdamW at
 * 97.5 % sparsity — from the config alone, so a model can be sized before its weights are fetched.
 * With weights, their inspection follows and the count is checked against them.
 */
final class ModelInspector {
    static final String CONFIG = "config.json";
    /** The sparsity whose BSR-AdamW memory is shown (the paper's operating point). */
    static final double SPARSITY = 0.975;

    private ModelInspector() {}

    static boolean isModelDirectory(Path dir) {
        return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(CONFIG));
    }

    static Inspection inspect(Path dir, Inspector.Settings settings) throws IOException {
        DecoderConfig c = DecoderConfig.read(dir.resolve(CONFIG));
        Inspection weights = hasWeights(dir) ? SafetensorsInspector.inspect(dir, settings) : null;
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("family", c.family());
        summary.put("layers", c.layers());
        summary.put("hiddenSize", c.hiddenSize());
        summary.put("intermediateSize", c.intermediateSize());
        summary.put("heads", c.heads() + " query, " + c.kvHeads() + " key/value, " + c.headDim() + " channels each");
        summary.put("vocabulary", c.vocabSize());
        summary.put("maxPositions", c.maxPositions());
        summary.put("tiedEmbeddings", c.tiedEmbeddings());
        summary.put("dtype", c.dtype() == null ? "not stated" : c.dtype());
        summary.put("parameters", c.parameterCount());
        summary.put("trainingMemoryDense", gib(c.denseTrainingBytes()) + " with AdamW");
        summary.put("trainingMemorySparse", gib(c.bsrTrainingBytes(SPARSITY)) + " with BSR-AdamW at 97.5 %");
        summary.put("memoryNote", "float32 weights, gradients and AdamW state (BSR-AdamW: state for the active 2.5 % only); "
                + "activations come on top and grow with batch x sequence");
        List<Inspection.Table> tables = new ArrayList<>();
        Inspection.Table groups = new Inspection.Table("parameterGroups", Inspection.columns("group", "group",
                "parameters", "parameters", "share", "share"));
        long total = c.parameterCount();
        for (DecoderConfig.ParameterGroup g : c.parameterGroups()) {
            groups.add(g.name(), g.parameters(), String.format(java.util.Locale.ROOT, "%.1f %%", 100.0 * g.parameters() / total));
        }
        tables.add(groups);
        if (weights != null) {
            Object elements = weights.summary().get("elements");
            summary.put("weightsMatchConfig", elements instanceof Number n && n.longValue() == total
                    ? "yes (" + total + " elements)" : "no: the weights hold " + elements + " elements, the config gives " + total);
            weights.summary().forEach((k, v) -> summary.putIfAbsent("weights." + k, v));
            tables.addAll(weights.tables());
        } else {
            summary.put("weightsMatchConfig", "no weights in the directory (config only)");
        }
        return new Inspection(dir.toString(), "huggingface model (" + c.family() + ")", summary, tables);
    }

    private static boolean hasWeights(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".safetensors"));
        }
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f GiB (%,d bytes)", bytes / (double) (1L << 30), bytes);
    }
}
