package org.rlcasino.train.phase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.BlockShape;
import org.apache.arrow.memory.RootAllocator;
import org.rlcasino.io.arrow.Batching;
import org.rlcasino.io.arrow.MaskFileInfo;
import org.rlcasino.io.arrow.MaskBlocks;
import org.rlcasino.io.arrow.MaskFileReader;
import org.rlcasino.io.arrow.MaskFileWriter;
import org.rlcasino.io.arrow.TensorInfo;
import org.rlcasino.io.arrow.TensorTable;
import org.rlcasino.io.arrow.MaskTensor;
import org.rlcasino.io.config.MaskSection;
import org.rlcasino.io.deltas.TensorSelection;
import org.rlcasino.scoring.MaskBuilder;
import org.rlcasino.scoring.MaskOptions;
import org.rlcasino.scoring.MomentumFormula;
import org.rlcasino.scoring.MomentumScorer;
import org.rlcasino.scoring.ScoreSource;
import org.rlcasino.scoring.ScoringOptions;
import org.rlcasino.scoring.StepRange;
import org.rlcasino.scoring.StreamingScorer;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.ParameterLayout;
import org.rlcasino.kernels.TensorView;
import org.rlcasino.train.rng.SplitMix64;

/** Where a sparse phase's mask comes from: a mask file, an inline build from logged deltas, or a seeded random draw. */
public final class MaskSource {
    private MaskSource() {}

    /**
     * A mask: tensor name → ascending flat indices of the active entries, and the block (BSR)
     * structure of the tensors whose structure the mask file stores (a block mask from
     * {@code casino mask --builder block}; empty for element masks), which the backward and
     * BSR-AdamW then use as they are.
     */
    public record Mask(Map<String, int[]> indices, long active, long total, Map<String, MaskBlocks> blocks) {
        public Mask(Map<String, int[]> indices, long active, long total) {
            this(indices, active, total, Map.of());
        }

        public double sparsity() {
            return total == 0 ? 0 : 1 - (double) active / total;
        }
    }

    /** Writes {@code mask} as a mask file (rlcasino.mask) that {@code casino compare} and {@link #read} accept. */
    public static void write(Path file, Mask mask, ParameterLayout layout, String method, double targetSparsity,
                             Map<String, String> parameters) throws IOException {
        TensorTable table = tensorTable(layout);
        try (BufferAllocator allocator = new RootAllocator();
             MaskFileWriter writer = MaskFileWriter.create(file, table, MaskFileInfo.of(method, targetSparsity,
                     java.util.OptionalDouble.empty(), parameters), Map.of("built_by", "casino train"), Batching.DEFAULTS, allocator)) {
            for (TensorView t : layout.tensors()) {
                int[] idx = mask.indices().getOrDefault(t.name(), new int[0]);
                writer.writeIndices(t.name(), idx, 0, idx.length);
            }
            writer.finish();
        }
    }

    /** The Arrow tensor table (names, shapes, f32) of {@code layout}. */
    static TensorTable tensorTable(ParameterLayout layout) {
        java.util.List<TensorInfo> infos = new java.util.ArrayList<>();
        for (TensorView t : layout.tensors()) {
            long[] shape = new long[t.shape().length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.shape()[i];
            }
            infos.add(TensorInfo.f32(t.name(), shape));
        }
        return TensorTable.of(infos);
    }

    /** Reads {@code file} (rlcasino.mask) and checks its tensors against {@code layout}. */
    public static Mask read(Path file, ParameterLayout layout) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such mask file (build one with 'casino mask')");
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        Map<String, MaskBlocks> blocks = new LinkedHashMap<>();
        long active = 0;
        try (BufferAllocator allocator = new RootAllocator(); MaskFileReader reader = MaskFileReader.open(file, allocator)) {
            MaskTensor t;
            while ((t = reader.nextTensor()) != null) {
                String name = t.tensor().name();
                if (!layout.contains(name)) {
                    throw new IllegalArgumentException(file + ": mask tensor " + name + " is not a parameter of this model");
                }
                if (t.tensor().size() != layout.tensor(name).size()) {
                    throw new IllegalArgumentException(file + ": mask tensor " + name + " has " + t.tensor().size()
                            + " entries, the model's " + layout.tensor(name).size());
                }
                out.put(name, t.indices());
                if (t.blocks() != null) {
                    blocks.put(name, t.blocks());
                }
                active += t.indices().length;
            }
        }
        return new Mask(out, active, layout.totalSize(), blocks);
    }

    /**
     * Scores {@code deltas} with the section's scorer and step range into {@code scoresOut}, builds
     * the mask into {@code maskOut}, and reads it back.
     */
    public static Mask build(Path deltas, MaskSection section, long seed, Path scoresOut, Path maskOut,
                             ParameterLayout layout, Backend backend) throws IOException {
        if (!Files.isRegularFile(deltas)) {
            throw new IllegalArgumentException(deltas + ": no delta stream (the phase named in mask.fromPhase must log deltas)");
        }
        StreamingScorer scorer = StreamingScorer.of(section.scorerName(), backend, MomentumFormula.PAPER,
                MomentumScorer.DEFAULT_WINDOW, MomentumScorer.DEFAULT_EPS);
        ScoringOptions scoring = new ScoringOptions(new StepRange(section.firstStep(), section.lastStep()), 0, TensorSelection.ALL,
                section.deltaBasis());
        scorer.score(deltas, scoresOut, scoring, Progress.NONE);
        MaskBuilder.Method method = switch (section.builder()) {
            case "exact" -> MaskBuilder.Method.EXACT;
            case "sampled" -> MaskBuilder.Method.SAMPLED;
            case "per-tensor" -> MaskBuilder.Method.PER_TENSOR;
            case "random" -> MaskBuilder.Method.RANDOM;
            case "block" -> MaskBuilder.Method.BLOCK;
            default -> throw new IllegalArgumentException("unknown builder " + section.builder());
        };
        MaskOptions options = new MaskOptions(method, section.sparsityFraction(), 0, seed, section.blockShape(), false,
                MaskOptions.DEFAULT_SAMPLES);
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("deltas", deltas.toString());
        provenance.put("scorer", section.scorer());
        provenance.put("basis", section.basis());
        provenance.put("built_by", "casino train (inline mask)");
        try (BufferAllocator allocator = new RootAllocator()) {
            ScoreSource source = ScoreSource.ofFile(scoresOut, allocator, ScoreSource.DEFAULT_CAPACITY);
            new MaskBuilder(source, backend, allocator, null).build(options, maskOut, provenance);
        }
        return read(maskOut, layout);
    }

    /**
     * A uniformly random mask over all parameters keeping exactly ⌊(1−sparsity)·n⌋ entries, drawn
     * from {@code seed} (the random baseline at the same density).
     */
    public static Mask random(ParameterLayout layout, double sparsity, long seed) {
        int n = layout.totalSize();
        long keep = MaskBuilder.keepCount(sparsity, n);
        boolean complement = keep > n / 2;
        long draw = complement ? n - keep : keep;
        SplitMix64 rng = SplitMix64.derive(seed, "random mask");
        BitSet chosen = new BitSet(n);
        for (long c = 0; c < draw; ) {
            int i = rng.nextInt(n);
            if (!chosen.get(i)) {
                chosen.set(i);
                c++;
            }
        }
        if (complement) {
            chosen.flip(0, n);
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        for (TensorView t : layout.tensors()) {
            int o = t.offset();
            int[] idx = chosen.get(o, o + t.size()).stream().toArray();
            out.put(t.name(), idx);
        }
        return new Mask(out, keep, n);
    }
}
