package org.rlcasino.train.phase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.rlcasino.io.config.DeltaLogSection;
import org.rlcasino.io.arrow.BlockShape;
import org.rlcasino.io.config.MaskSection;
import org.rlcasino.train.model.GradientMask;
import org.rlcasino.io.config.ModelSection;
import org.rlcasino.io.safetensors.Dtype;
import org.rlcasino.io.config.PhaseKind;
import org.rlcasino.io.config.PhaseSection;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.TaskSection;
import org.rlcasino.optimizer.AdamWConfig;
import org.rlcasino.optimizer.Optimizer;
import org.rlcasino.optimizer.StepReport;
import org.rlcasino.kernels.Backend;
import org.rlcasino.train.PhaseSummary;
import org.rlcasino.train.checkpoint.ModelDirectory;
import org.rlcasino.train.checkpoint.TrainingCheckpoint;
import org.rlcasino.train.model.GptConfig;
import org.rlcasino.train.model.Architecture;
import org.rlcasino.train.model.LanguageModel;
import org.rlcasino.train.model.TokenGenerator;
import org.rlcasino.train.model.SamplingOptions;
import org.rlcasino.train.rl.DpoLoss;
import org.rlcasino.train.rl.GrpoLoss;
import org.rlcasino.train.rl.SequenceLogProbs;
import org.rlcasino.train.rl.SftLoss;
import org.rlcasino.train.rl.TokenLoss;
import org.rlcasino.train.rng.SplitMix64;
import org.rlcasino.train.task.CharTokenizer;
import org.rlcasino.train.task.Evaluator;
import org.rlcasino.train.task.Problem;
import org.rlcasino.train.task.SequenceBatch;
import org.rlcasino.train.task.RlTask;
import org.rlcasino.train.data.Tasks;

/**
 * Runs one phase of a run-config: SFT, DPO or GRPO steps with a dense or sparse AdamW, held-out
 * evaluation, delta logging, metrics, periodic checkpoints and resumption. Everything random comes
 * from one {@link SplitMix64} whose state the checkpoints save, and every kernel is deterministic,
 * so a resumed phase ends with the same bits as an uninterrupted one.
 *
 * <p>Checkpoints are skipped inside the delta-logging range (the delta stream is one file written
 * in one go) and, for GRPO with several updates per batch, between the updates of one batch.
 */
public final class PhaseTrainer {
    private final RunConfig run;
    private final PhaseSection phase;
    private final int phaseIndex;
    private final Path runDir;
    private final Path phaseDir;
    private final Backend backend;
    private final PhaseListener listener;
    private final RlTask task;
    /** The character tokenizer saved beside the weights; null for a task that uses the model's own. */
    private final CharTokenizer tokenizer;
    private final long seed;
    private final PhaseKind kind;

    private Architecture architecture;
    private int seqLen;
    private LanguageModel model;
    private LanguageModel reference;
    private TokenGenerator generator;
    private Optimizer optimizer;
    private SplitMix64 rng;
    /** Offline DPO with precomputeReference: each training pair's reference (chosen, rejected) sequence log-probs. */
    private java.util.Map<RlTask.PreferencePair, double[]> precomputedReference;
    private MaskSource.Mask mask;

    // GRPO batch kept across the updates of one sampled batch
    private SequenceBatch grpoBatch;
    private double[] grpoAdvantages;
    private float[] grpoOld;
    private float[] grpoRef;
    private double grpoReward;

    private PhaseTrainer(RunConfig run, String phaseName, Path runDir, Backend backend, PhaseListener listener) {
        this.run = run;
        int index = -1;
        for (int i = 0; i < run.phases().size(); i++) {
            if (run.phases().get(i).name().equals(phaseName)) {
                index = i;
            }
        }
        if (index < 0) {
            throw new IllegalArgumentException("run-config " + run.name() + " has no phase '" + phaseName + "' (phases: "
                    + String.join(", ", run.phases().stream().map(PhaseSection::name).toList()) + ")");
        }
        this.phaseIndex = index;
        this.phase = run.phases().get(index);
        this.runDir = runDir;
        this.phaseDir = runDir.resolve(phase.name());
        this.backend = backend;
        this.listener = listener == null ? PhaseListener.NONE : listener;
        this.task = Tasks.open(run);
        this.tokenizer = task.charTokenizer();
        this.seed = phase.seed() != null ? phase.seed() : run.seed();
        this.kind = phase.phaseKind();
    }

    /**
     * Runs phase {@code phaseName}. Without {@code resume} the phase directory is started afresh;
     * with it, the phase continues from its latest checkpoint (or from the start when it has none).
     */
    public static PhaseSummary run(RunConfig run, String phaseName, Path runDir, Backend backend, boolean resume,
                                   PhaseListener listener) {
        try {
            return new PhaseTrainer(run, phaseName, runDir, backend, listener).execute(resume);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The final weights of the phase this one starts from, or null when it starts from the model section. */
    private Path startPhaseDirectory() {
        String from = PhaseSection.startOf(run.phases(), phaseIndex);
        if (from == null) {
            return null;
        }
        Path dir = runDir.resolve(from).resolve("final");
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("phase '" + phase.name() + "' starts from phase '" + from
                    + "', which has not finished (no " + dir + ")");
        }
        return dir;
    }

    /** The configuration of the weights the phase starts from, read without loading them. */
    private Architecture startArchitecture() throws IOException {
        Path from = startPhaseDirectory();
        if (from != null) {
            return ModelDirectory.readArchitecture(from);
        }
        ModelSection m = run.model();
        if (m.directory() != null) {
            return ModelDirectory.readArchitecture(Path.of(m.directory()));
        }
        return new GptConfig(task.vocabSize(), m.maxSeqLen(), m.layers(), m.heads(), m.channels());
    }

    private ModelDirectory startWeights() throws IOException {
        Path from = startPhaseDirectory();
        if (from != null) {
            return ModelDirectory.load(from);
        }
        ModelSection m = run.model();
        if (m.init() != null) {
            ModelDirectory c = ModelDirectory.load(Path.of(m.init()));
            if (c.architecture().vocabSize() < task.vocabSize()) {
                throw new IllegalArgumentException("model.init " + m.init() + ": vocab_size " + c.architecture().vocabSize()
                        + " is smaller than the task tokenizer's " + task.vocabSize());
            }
            return c;
        }
        // random weights of model.config's architecture, or of a GPT-2 of the model section's sizes
        Architecture a = m.config() != null ? ModelDirectory.readArchitecture(Path.of(m.config()))
                : new GptConfig(task.vocabSize(), m.maxSeqLen(), m.layers(), m.heads(), m.channels());
        if (a.vocabSize() < task.vocabSize()) {
            throw new IllegalArgumentException("model.config " + m.config() + ": vocab_size " + a.vocabSize()
                    + " is smaller than the task tokenizer's " + task.vocabSize());
        }
        try (LanguageModel init = a.create(backend)) {
            init.initialize(run.seed());
            return new ModelDirectory(a, init.parametersOnHost().clone(), m.config() != null ? null : tokenizer);
        }
    }

    private PhaseSummary execute(boolean resume) throws IOException {
        if (!resume) {
            TrainingCheckpoint.deleteTree(phaseDir);
        }
        Files.createDirectories(phaseDir);
        architecture = startArchitecture();
        Dtype saveDtype = ModelDirectory.saveDtype(run.model().saveDtype(), run.model().init() == null ? null : Path.of(run.model().init()));
        if (saveDtype != Dtype.F32 && architecture instanceof GptConfig) {
            throw new IllegalArgumentException("model.saveDtype " + run.model().saveDtype() + ": GPT-2 directories are written as "
                    + "float32; a " + saveDtype + " copy is for the Llama, Qwen and Gemma families");
        }
        seqLen = task.maxPromptLength() + task.maxCompletionTokens();
        if (seqLen > architecture.maxSeqLen()) {
            throw new IllegalArgumentException("the model's context (" + architecture.maxSeqLen() + ") is shorter than the task's longest "
                    + "prompt + answer + end token (" + seqLen + ")");
        }
        requireHeap();
        ModelDirectory start = startWeights();
        WeightDeltas weightDeltas = null;
        TokenGenerator evalGenerator = null;
        try {
            setUp(start);
            List<Problem> evalProblems = task.heldOut(phase.evalPrompts() == null ? Integer.MAX_VALUE : phase.evalPrompts());
            // the delta programs and the evaluation's generator are prepared before anything runs
            weightDeltas = phase.logDeltas() == null ? null : new WeightDeltas(model, phase.logDeltas().deltaBasis());
            evalGenerator = model.generator(Math.max(1, Math.min(Evaluator.BATCH, evalProblems.size())), seqLen);
            double startAccuracy = Evaluator.evaluate(evalGenerator, task, evalProblems).accuracy();
            rng = SplitMix64.derive(seed, "phase " + phase.name());
            Optional<Path> latest = resume ? TrainingCheckpoint.latest(phaseDir) : Optional.empty();
            int done = latest.isPresent() ? restore(latest.get()) : 0;
            Totals totals = new Totals();
            Evaluator.Evaluation last = trainSteps(done, latest.isPresent(), weightDeltas, evalGenerator, evalProblems, totals);
            if (last == null) { // resumed after the last step's evaluation could not be kept
                last = Evaluator.evaluate(evalGenerator, task, evalProblems);
            }
            ModelDirectory.save(phaseDir.resolve("final"), architecture, model.parametersOnHost(), tokenizer, saveDtype);
            if (tokenizer == null) {
                task.writeTokenizer(phaseDir.resolve("final"));
            }
            PhaseSummary summary = summary(totals, startAccuracy, last, evalProblems.size());
            summary.write(phaseDir);
            listener.end(phase.name());
            return summary;
        } finally {
            if (weightDeltas != null) {
                weightDeltas.close();
            }
            if (evalGenerator != null) {
                evalGenerator.close();
            }
            closeModels();
        }
    }

    /**
     * The model from {@code start}, the phase's mask with the mask-aware backward, its optimizer,
     * the frozen reference and the sampler it needs, and every program of a step prepared before
     * the first run (a device backend compiles them together).
     */
    private void setUp(ModelDirectory start) throws IOException {
        model = architecture.create(backend);
        System.arraycopy(start.params(), 0, model.parameters(), 0, start.params().length);
        model.parametersWritten();
        mask = buildMask();
        if (mask != null) {
            // the backward computes only the gradients the sparse optimizer reads (dX stays dense), in the
            // mask file's own blocks where it stores a block structure, else in mask.block blocks
            BlockShape block = phase.mask().blockShape();
            GradientMask gradients = GradientMask.fromActive(model.layout(), mask.indices(), mask.blocks(), block.rows(),
                    block.columns());
            model.restrictGradients(gradients);
            listener.note(phase.name() + ": " + gradients.summary());
        }
        AdamWConfig adamw = OptimizerFactory.adamWConfig(phase.adamw() != null ? phase.adamw() : run.optimizer());
        optimizer = OptimizerFactory.create(adamw, model.layout(), mask,
                mask == null ? null : phase.mask().blockShape(), backend);
        if (kind == PhaseKind.DPO || kind == PhaseKind.GRPO && phase.klCoef() > 0) {
            reference = architecture.create(backend);
            reference.forwardOnly();
            System.arraycopy(start.params(), 0, reference.parameters(), 0, start.params().length);
            reference.parametersWritten();
        }
        if (kind == PhaseKind.GRPO) { // TRL's GRPOTrainer: log-probs of the policy, old policy and reference at the sampling temperature
            model.logProbTemperature(phase.temperature());
            if (reference != null) {
                reference.logProbTemperature(phase.temperature());
            }
        }
        if (kind == PhaseKind.GRPO || kind == PhaseKind.DPO && !task.hasPreferences()) { // offline DPO samples nothing
            generator = model.generator(phase.batchSize() * phase.groupSize(), seqLen);
        }
        switch (kind) {
            case SFT -> model.prepare(phase.batchSize(), seqLen);
            case DPO -> {
                if (backend.fixedShapes() || task.hasPreferences()) { // offline DPO: always B pairs
                    model.prepare(2 * phase.batchSize(), seqLen);
                    reference.prepare(2 * phase.batchSize(), seqLen);
                }
            }
            case GRPO -> {
                model.prepare(phase.batchSize() * phase.groupSize(), seqLen);
                if (reference != null) {
                    reference.prepare(phase.batchSize() * phase.groupSize(), seqLen);
                }
            }
        }
        optimizer.prepare(model.parameters(), model.gradients());
        if (kind == PhaseKind.DPO && task.hasPreferences() && phase.precomputeReference()) {
            precomputeReference();
        }
    }

    /**
     * What the phase will hold on the heap, stated before anything is allocated, and refused with
     * that figure when the JVM may not use as much: weights and gradients (8 bytes a parameter), the
     * optimizer's moments (8 a parameter for AdamW, 12 an active entry for a masked optimizer, at the
     * mask's sparsity when the config states one), the policy's activations for the step's batch, a
     * frozen reference's weights and activations (DPO, GRPO with a KL term), and the samplers' KV
     * caches. Returns the estimate in bytes.
     */
    private long requireHeap() {
        long params = architecture.layout().totalSize();
        int rows = switch (kind) {
            case SFT -> phase.batchSize();
            case DPO -> 2 * phase.batchSize();
            case GRPO -> phase.batchSize() * phase.groupSize();
        };
        long optimizerState = 8 * params;
        if (!phase.optimizer().equals("adamw") && phase.mask() != null && phase.mask().sparsity() != null) {
            optimizerState = (long) Math.ceil(12 * params * (1 - phase.mask().sparsityFraction()));
        }
        long need = 8 * params + optimizerState + architecture.activationBytes(rows, seqLen, true);
        if (kind == PhaseKind.DPO || kind == PhaseKind.GRPO && phase.klCoef() > 0) {
            need += 4 * params + architecture.activationBytes(rows, seqLen, false);
        }
        long cachePerRow = architecture.generationBytesPerRow(seqLen);
        int samplingRows = kind.reinforcement() ? phase.batchSize() * phase.groupSize() : 0;
        need += cachePerRow * (samplingRows + Math.min(Evaluator.BATCH, task.heldOut().size()));
        org.rlcasino.io.InsufficientHeapException.require(String.format(java.util.Locale.ROOT,
                "phase %s (%,d parameters, %d rows of %d tokens per step)", phase.name(), params, rows, seqLen), need);
        listener.note(String.format(java.util.Locale.ROOT, "%s: about %.1f MiB of heap (limit %.0f MiB)", phase.name(),
                need / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0));
        return need;
    }

    /** Loads a periodic checkpoint (weights, optimizer state, random state); returns its step. */
    private int restore(Path checkpoint) throws IOException {
        TrainingCheckpoint c = TrainingCheckpoint.load(checkpoint);
        System.arraycopy(c.params(), 0, model.parameters(), 0, c.params().length);
        model.parametersWritten();
        optimizer.restoreState(c.state());
        rng = new SplitMix64(c.rngState());
        listener.note(phase.name() + ": resumed from " + checkpoint + " (step " + c.step() + ")");
        return c.step();
    }

    /** Sums of per-step times over the steps run here, for the phase summary. */
    private static final class Totals {
        double step;
        double sample;
        double forwardBackward;
        double optimizer;
        double deltaLog;
        int measured;
        int deltaSteps;
    }

    /**
     * Steps {@code done + 1 … steps}: the step of the phase's kind, the optimizer, delta logging,
     * evaluation, metrics and periodic checkpoints. Returns the last evaluation, or null when no
     * step ran (resumed after the last one).
     */
    private Evaluator.Evaluation trainSteps(int done, boolean resumed, WeightDeltas weightDeltas, TokenGenerator evalGenerator,
                                            List<Problem> evalProblems, Totals totals) throws IOException {
        DeltaLogSection logSection = phase.logDeltas();
        int logFirst = logSection == null ? Integer.MAX_VALUE : logSection.firstStep();
        int logLast = logSection == null ? -1 : Math.min(phase.steps(), logSection.lastStep() == null ? phase.steps() : logSection.lastStep());
        DeltaLogger deltaLogger = null;
        Evaluator.Evaluation evaluation = null;
        listener.begin(phase.name(), done + 1, phase.steps());
        try (MetricsLog metrics = MetricsLog.open(phaseDir.resolve("metrics.csv"), resumed ? done : -1)) {
            for (int step = done + 1; step <= phase.steps(); step++) {
                long t0 = System.nanoTime();
                model.zeroGradients();
                StepResult r = switch (kind) {
                    case SFT -> sftStep();
                    case DPO -> dpoStep();
                    case GRPO -> grpoStep(step);
                };
                long t1 = System.nanoTime();
                boolean logged = step >= logFirst && step <= logLast;
                long d0 = System.nanoTime();
                if (logged && deltaLogger == null) {
                    deltaLogger = new DeltaLogger(phaseDir.resolve("deltas.arrow"), model.layout(), logSection.deltaBasis(),
                            deltaProvenance(logSection));
                    weightDeltas.capture();
                }
                long deltaNs = System.nanoTime() - d0;
                StepReport report = r.update() ? optimizer.step(model.parameters(), model.gradients()) : null;
                long t2 = System.nanoTime();
                if (logged) {
                    deltaLogger.log(step, weightDeltas.take());
                    if (step == logLast) {
                        deltaLogger.finish();
                        deltaLogger.close();
                        deltaLogger = null;
                    }
                    deltaNs += System.nanoTime() - t2;
                    totals.deltaLog += deltaNs / 1e6;
                    totals.deltaSteps++;
                }
                boolean evaluate = phase.evalEvery() > 0 && step % phase.evalEvery() == 0 || step == phase.steps();
                evaluation = evaluate ? Evaluator.evaluate(evalGenerator, task, evalProblems) : evaluation;
                double stepSeconds = (t2 - t0 + deltaNs) / 1e9;
                StepMetrics row = new StepMetrics(step, phase.name(), r.loss().loss(), r.reward(),
                        evaluate ? evaluation.accuracy() : Double.NaN, r.kl(), r.positions() / stepSeconds, r.sampleNs() / 1e6,
                        (t1 - t0 - r.sampleNs()) / 1e6, (t2 - t1) / 1e6, logged ? deltaNs / 1e6 : 0,
                        report == null ? Double.NaN : report.lr(), report == null ? Double.NaN : report.gradNorm());
                metrics.append(row);
                listener.step(row, phase.steps());
                totals.step += stepSeconds * 1e3;
                totals.sample += row.sampleMs();
                totals.forwardBackward += row.fwdbwdMs();
                totals.optimizer += row.optimizerMs();
                totals.measured++;
                boolean insideLogging = step >= logFirst && step < logLast;
                boolean batchBoundary = kind != PhaseKind.GRPO || step % phase.updatesPerBatch() == 0;
                if (phase.checkpointEvery() > 0 && step % phase.checkpointEvery() == 0 && step < phase.steps()
                        && !insideLogging && batchBoundary) {
                    new TrainingCheckpoint(step, rng.state(), model.parametersOnHost().clone(), optimizer.exportState())
                            .save(phaseDir, architecture, tokenizer);
                }
            }
        } finally {
            if (deltaLogger != null) {
                deltaLogger.close();
            }
        }
        return evaluation;
    }

    /** Where a delta stream came from, in a fixed order. */
    private Map<String, String> deltaProvenance(DeltaLogSection logSection) {
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("run", run.name());
        provenance.put("phase", phase.name());
        provenance.put("kind", phase.kind());
        provenance.put("seed", Long.toString(seed));
        provenance.put("basis", logSection.basis());
        return provenance;
    }

    private PhaseSummary summary(Totals totals, double startAccuracy, Evaluator.Evaluation last, int heldOutPrompts) {
        long total = model.parameters().length;
        long active = mask == null ? total : mask.active();
        int n = Math.max(1, totals.measured);
        return PhaseSummary.builder(phase.name(), phase.kind(), phase.optimizer()).seed(seed).steps(phase.steps())
                .heldOut(heldOutPrompts, startAccuracy, last.accuracy(), last.reward())
                .stepMillis(totals.step / n, totals.sample / n, totals.forwardBackward / n, totals.optimizer / n)
                .deltaLog(totals.deltaSteps == 0 ? 0 : totals.deltaLog / totals.deltaSteps, totals.deltaSteps)
                .parameters(active, total)
                .gradientBlockFill(model.gradientMask() == null ? 1.0 : model.gradientMask().blockFill())
                .build();
    }

    private void closeModels() {
        if (generator != null) {
            generator.close();
        }
        if (optimizer != null) {
            optimizer.close();
        }
        if (model != null) {
            model.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    private MaskSource.Mask buildMask() throws IOException {
        MaskSection m = phase.mask();
        if (m == null) {
            return null;
        }
        long maskSeed = m.seed() != null ? m.seed() : seed;
        MaskSource.Mask fromScores = null;
        if (m.file() != null) {
            fromScores = MaskSource.read(Path.of(m.file()), model.layout());
        } else if (m.fromPhase() != null) {
            fromScores = MaskSource.build(runDir.resolve(m.fromPhase()).resolve("deltas.arrow"), m, maskSeed,
                    phaseDir.resolve("scores.arrow"), phaseDir.resolve("mask.arrow"), model.layout(), backend);
        }
        if (phase.optimizer().equals("random-mask")) {
            double sparsity = m.sparsity() != null ? m.sparsityFraction() : fromScores.sparsity();
            MaskSource.Mask random = MaskSource.random(model.layout(), sparsity, maskSeed);
            MaskSource.write(phaseDir.resolve("mask.arrow"), random, model.layout(), "random-uniform", sparsity,
                    Map.of("seed", Long.toString(maskSeed)));
            listener.note(String.format(java.util.Locale.ROOT, "%s: random mask, %d of %d entries active (sparsity %.4f)",
                    phase.name(), random.active(), random.total(), random.sparsity()));
            return random;
        }
        listener.note(String.format(java.util.Locale.ROOT, "%s: mask %s, %d of %d entries active (sparsity %.4f)", phase.name(),
                m.file() != null ? m.file() : phaseDir.resolve("mask.arrow"), fromScores.active(), fromScores.total(),
                fromScores.sparsity()));
        return fromScores;
    }

    /** What a step computed before the optimizer. */
    private record StepResult(TokenLoss loss, double reward, double kl, long positions, long sampleNs, boolean update) {}

    private List<Problem> drawProblems() {
        List<Problem> problems = new ArrayList<>(phase.batchSize());
        for (int i = 0; i < phase.batchSize(); i++) {
            problems.add(task.nextTraining(rng));
        }
        return problems;
    }

    private StepResult sftStep() {
        SequenceBatch batch = SequenceBatch.supervised(drawProblems(), task, seqLen);
        float[] logp = model.forward(batch.tokens(), batch.targets(), batch.rows(), seqLen);
        TokenLoss loss = SftLoss.compute(logp, batch.targets());
        model.backward(loss.dLogProbs());
        return new StepResult(loss, Double.NaN, Double.NaN, (long) batch.rows() * seqLen, 0, true);
    }

    /** Samples G completions for each of B fresh training prompts; rows are grouped by prompt. */
    private record Samples(List<Problem> problems, int[][] prompts, int[][] completions, double[] rewards) {}

    private Samples sample() {
        List<Problem> problems = drawProblems();
        int g = phase.groupSize();
        int[][] prompts = new int[problems.size() * g][];
        for (int i = 0; i < problems.size(); i++) {
            int[] p = task.promptTokens(problems.get(i));
            for (int j = 0; j < g; j++) {
                prompts[i * g + j] = p;
            }
        }
        SamplingOptions options = new SamplingOptions(false, phase.temperature().floatValue(), phase.topK());
        int[][] out = generator.generate(prompts, task.maxCompletionTokens(), task.stopToken(), options, rng);
        double[] rewards = new double[out.length];
        for (int r = 0; r < out.length; r++) {
            rewards[r] = task.reward(problems.get(r / g), out[r]);
        }
        return new Samples(problems, prompts, out, rewards);
    }

    private StepResult grpoStep(int step) {
        long sampleNs = 0;
        boolean fresh = (step - 1) % phase.updatesPerBatch() == 0 || grpoBatch == null;
        if (fresh) {
            long s0 = System.nanoTime();
            Samples s = sample();
            sampleNs = System.nanoTime() - s0;
            grpoBatch = SequenceBatch.of(List.of(s.prompts()), List.of(s.completions()), seqLen);
            grpoAdvantages = GrpoLoss.advantages(s.rewards(), phase.groupSize());
            grpoReward = mean(s.rewards());
            grpoRef = reference == null ? null
                    : reference.forward(grpoBatch.tokens(), grpoBatch.targets(), grpoBatch.rows(), seqLen).clone();
        }
        float[] logp = model.forward(grpoBatch.tokens(), grpoBatch.targets(), grpoBatch.rows(), seqLen);
        if (fresh) {
            grpoOld = logp.clone(); // the sampling policy's log-probs: the same weights, the same kernels
        }
        TokenLoss loss = GrpoLoss.compute(logp, grpoOld, grpoRef, grpoBatch.targets(), grpoAdvantages, grpoBatch.rows(),
                seqLen, phase.clip(), phase.klCoef());
        model.backward(loss.dLogProbs());
        return new StepResult(loss, grpoReward, grpoRef == null ? Double.NaN : loss.kl(),
                (long) grpoBatch.rows() * seqLen, sampleNs, true);
    }

    /**
     * Offline DPO (TRL's DPOTrainer): B pairs drawn from the task's preference data, chosen and
     * rejected rows interleaved, the frozen reference's sequence log-probs computed on the same batch.
     */
    private StepResult offlineDpoStep() {
        List<RlTask.PreferencePair> drawn = new ArrayList<>();
        List<int[]> prompts = new ArrayList<>();
        List<int[]> completions = new ArrayList<>();
        for (int i = 0; i < phase.batchSize(); i++) {
            RlTask.PreferencePair pair = task.nextPreference(rng);
            drawn.add(pair);
            prompts.add(pair.prompt());
            completions.add(pair.chosen());
            prompts.add(pair.prompt());
            completions.add(pair.rejected());
        }
        int pairs = phase.batchSize();
        SequenceBatch batch = SequenceBatch.of(prompts, completions, seqLen);
        double[] refSeq;
        if (precomputedReference != null) {
            refSeq = new double[2 * pairs];
            for (int i = 0; i < pairs; i++) {
                double[] r = precomputedReference.get(drawn.get(i));
                refSeq[2 * i] = r[0];
                refSeq[2 * i + 1] = r[1];
            }
        } else {
            float[] refLogp = reference.forward(batch.tokens(), batch.targets(), batch.rows(), seqLen);
            refSeq = SequenceLogProbs.of(refLogp, batch.targets(), batch.rows(), seqLen);
        }
        float[] logp = model.forward(batch.tokens(), batch.targets(), batch.rows(), seqLen);
        TokenLoss loss = DpoLoss.compute(logp, batch.targets(), refSeq, pairs, seqLen, phase.beta());
        model.backward(loss.dLogProbs());
        return new StepResult(loss, Double.NaN, loss.kl(), (precomputedReference != null ? 1L : 2L) * 2 * pairs * seqLen, 0, true);
    }

    /**
     * TRL's precompute_ref_log_probs: the frozen reference's sequence log-probs of every training
     * pair (chosen, rejected), computed in batches of the phase's pairs before the first step; the
     * reference model is then released, so a step is the policy's forward and backward alone.
     */
    private void precomputeReference() {
        long t0 = System.nanoTime();
        List<RlTask.PreferencePair> all = task.trainingPreferences();
        precomputedReference = new java.util.IdentityHashMap<>();
        int b = phase.batchSize();
        for (int from = 0; from < all.size(); from += b) {
            List<int[]> prompts = new ArrayList<>();
            List<int[]> completions = new ArrayList<>();
            for (int i = 0; i < b; i++) { // the last batch repeats its first pair to keep the shape
                RlTask.PreferencePair pair = all.get(from + i < all.size() ? from + i : from);
                prompts.add(pair.prompt());
                completions.add(pair.chosen());
                prompts.add(pair.prompt());
                completions.add(pair.rejected());
            }
            SequenceBatch batch = SequenceBatch.of(prompts, completions, seqLen);
            double[] seq = SequenceLogProbs.of(reference.forward(batch.tokens(), batch.targets(), batch.rows(), seqLen),
                    batch.targets(), batch.rows(), seqLen);
            for (int i = 0; i < b && from + i < all.size(); i++) {
                precomputedReference.put(all.get(from + i), new double[] {seq[2 * i], seq[2 * i + 1]});
            }
        }
        reference.close();
        reference = null;
        listener.note(String.format(java.util.Locale.ROOT, "%s: reference log-probs of %d pairs precomputed in %.1f s; "
                + "steps time the policy alone", phase.name(), all.size(), (System.nanoTime() - t0) / 1e9));
    }

    private StepResult dpoStep() {
        if (task.hasPreferences()) {
            return offlineDpoStep();
        }
        long s0 = System.nanoTime();
        Samples s = sample();
        long sampleNs = System.nanoTime() - s0;
        int g = phase.groupSize();
        List<int[]> prompts = new ArrayList<>();
        List<int[]> completions = new ArrayList<>();
        for (int i = 0; i < s.problems().size(); i++) {
            // the group's best completion against its worst (the first of each among ties); with an exact-match
            // reward, the first right one against the first wrong one
            int chosen = i * g;
            int rejected = i * g;
            for (int j = 1; j < g; j++) {
                int r = i * g + j;
                if (s.rewards()[r] > s.rewards()[chosen]) {
                    chosen = r;
                }
                if (s.rewards()[r] < s.rewards()[rejected]) {
                    rejected = r;
                }
            }
            if (s.rewards()[chosen] > s.rewards()[rejected]) {
                prompts.add(s.prompts()[chosen]);
                completions.add(s.completions()[chosen]);
                prompts.add(s.prompts()[rejected]);
                completions.add(s.completions()[rejected]);
            }
        }
        double reward = mean(s.rewards());
        int pairs = prompts.size() / 2;
        if (pairs == 0) { // every group's completions rewarded alike: no preference to learn from this step
            return new StepResult(new TokenLoss(Double.NaN, null, 0, 0), reward, Double.NaN, 0, sampleNs, false);
        }
        SequenceBatch batch = SequenceBatch.of(prompts, completions, seqLen);
        if (backend.fixedShapes()) { // one shape for every step: empty rows up to the most pairs a step can have
            batch = batch.padded(2 * phase.batchSize());
        }
        float[] refLogp = reference.forward(batch.tokens(), batch.targets(), batch.rows(), seqLen);
        double[] refSeq = SequenceLogProbs.of(refLogp, batch.targets(), batch.rows(), seqLen);
        float[] logp = model.forward(batch.tokens(), batch.targets(), batch.rows(), seqLen);
        TokenLoss loss = DpoLoss.compute(logp, batch.targets(), refSeq, pairs, seqLen, phase.beta());
        model.backward(loss.dLogProbs());
        return new StepResult(loss, reward, loss.kl(), 2L * 2 * pairs * seqLen, sampleNs, true);
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return x.length == 0 ? 0 : s / x.length;
    }
}
