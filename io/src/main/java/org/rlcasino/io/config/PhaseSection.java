package org.rlcasino.io.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One training phase of a run-config ({@code casino train} runs them in order). Every phase writes
 * {@code runs/<run>/<name>/}. Fields that apply only to some kinds are refused on the others.
 *
 * @param name            unique phase name, its output directory: letters, digits, {@code . _ -} (required)
 * @param kind            {@code sft}, {@code dpo} or {@code grpo} (required)
 * @param from            phase whose final checkpoint this one starts from (default: the previous
 *                        phase; the first phase starts from the model section)
 * @param steps           optimizer steps, {@code >= 1} (required)
 * @param batchSize       prompts per step, {@code >= 1} (default 16)
 * @param seed            seed of the phase's sampling, batches and random masks (default: run seed)
 * @param optimizer       {@code adamw} (dense, default), {@code bsr-adamw} (needs {@code mask}) or
 *                        {@code random-mask} (BSR-AdamW on a seeded random mask at the same density)
 * @param adamw           AdamW hyperparameters of this phase (default: the run's {@code optimizer} section);
 *                        replaces the run's section as a whole
 * @param mask            where the mask of {@code bsr-adamw} / {@code random-mask} comes from
 * @param logDeltas       stream per-step weight deltas of these steps to {@code deltas.arrow} (dense phases only)
 * @param evalEvery       held-out evaluation every N steps, 0 = only after the last step (default 0)
 * @param evalPrompts     held-out prompts per evaluation, {@code >= 1} (default: all held-out prompts)
 * @param checkpointEvery checkpoint (model + optimizer + RNG + step) every N steps, 0 = none (default 0)
 * @param temperature     dpo/grpo: sampling temperature, {@code > 0} (default 1.0); grpo computes its log-probs at it too (TRL)
 * @param topK            dpo/grpo: sample among the k most likely tokens, 0 = all (default 0)
 * @param groupSize       dpo/grpo: samples per prompt (GRPO's G; DPO picks one correct and one
 *                        incorrect among them), {@code >= 2} (default 8)
 * @param beta            dpo: β of the DPO loss, {@code > 0} (default 0.1)
 * @param clip            grpo: ε of the clipped importance ratio, {@code > 0} (default 0.2)
 * @param klCoef          grpo: weight of the k3 KL penalty to the reference (the phase's start weights),
 *                        {@code >= 0}, 0 = off (default 0)
 * @param updatesPerBatch grpo: optimizer steps on each sampled batch (the importance ratio differs from 1
 *                        from the second on), {@code >= 1} (default 1); every update counts as a step
 * @param precomputeReference dpo on a preferences task: compute the frozen reference's log-probs of every
 *                        training pair once before the first step and free the reference model (TRL's
 *                        {@code precompute_ref_log_probs}), so that a step is the policy's alone (default false)
 */
public record PhaseSection(String name, String kind, String from, Integer steps, Integer batchSize, Long seed,
                           String optimizer, OptimizerSection adamw, MaskSection mask, DeltaLogSection logDeltas,
                           Integer evalEvery, Integer evalPrompts, Integer checkpointEvery, Double temperature,
                           Integer topK, Integer groupSize, Double beta, Double clip, Double klCoef,
                           Integer updatesPerBatch, Boolean precomputeReference) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public PhaseSection {
        if (name == null || !NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("name is required: 1-64 letters, digits, '.', '_' or '-', got "
                    + (name == null ? "nothing" : "'" + name + "'"));
        }
        if (kind == null) {
            throw new IllegalArgumentException("kind is required: 'sft', 'dpo' or 'grpo'");
        }
        kind = PhaseKind.parse(kind).label();
        if (steps == null || steps < 1) {
            throw new IllegalArgumentException("steps is required and must be >= 1, got " + steps);
        }
        batchSize = ModelSection.atLeast("batchSize", batchSize, 16, 1);
        optimizer = optimizer == null ? "adamw" : optimizer.toLowerCase(Locale.ROOT);
        switch (optimizer) {
            case "adamw" -> {
                if (mask != null) {
                    throw new IllegalArgumentException("mask applies only to optimizer 'bsr-adamw' or 'random-mask'");
                }
            }
            case "bsr-adamw" -> {
                if (mask == null || mask.file() == null && mask.fromPhase() == null) {
                    throw new IllegalArgumentException("optimizer 'bsr-adamw' needs mask.file or mask.fromPhase");
                }
            }
            case "random-mask" -> {
                if (mask == null || mask.file() == null && mask.sparsity() == null) {
                    throw new IllegalArgumentException("optimizer 'random-mask' needs mask.sparsity (or mask.file or mask.fromPhase for the density)");
                }
            }
            default -> throw new IllegalArgumentException(
                    "optimizer must be 'adamw', 'bsr-adamw' or 'random-mask', got '" + optimizer + "'");
        }
        if (logDeltas != null && !optimizer.equals("adamw")) {
            throw new IllegalArgumentException("logDeltas applies only to dense phases (optimizer 'adamw')");
        }
        if (logDeltas != null && logDeltas.firstStep() > steps) {
            throw new IllegalArgumentException("logDeltas.firstStep (" + logDeltas.firstStep() + ") is beyond the phase's "
                    + steps + " steps");
        }
        evalEvery = ModelSection.atLeast("evalEvery", evalEvery, 0, 0);
        if (evalPrompts != null && evalPrompts < 1) {
            throw new IllegalArgumentException("evalPrompts must be >= 1, got " + evalPrompts);
        }
        checkpointEvery = ModelSection.atLeast("checkpointEvery", checkpointEvery, 0, 0);
        boolean rl = !kind.equals("sft");
        only("temperature", temperature, rl, "'dpo' or 'grpo'");
        only("topK", topK, rl, "'dpo' or 'grpo'");
        only("groupSize", groupSize, rl, "'dpo' or 'grpo'");
        only("beta", beta, kind.equals("dpo"), "'dpo'");
        only("clip", clip, kind.equals("grpo"), "'grpo'");
        only("klCoef", klCoef, kind.equals("grpo"), "'grpo'");
        only("updatesPerBatch", updatesPerBatch, kind.equals("grpo"), "'grpo'");
        temperature = temperature == null ? 1.0 : temperature;
        if (!(temperature > 0 && Double.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        topK = ModelSection.atLeast("topK", topK, 0, 0);
        groupSize = ModelSection.atLeast("groupSize", groupSize, 8, 2);
        beta = beta == null ? 0.1 : beta;
        if (!(beta > 0 && Double.isFinite(beta))) {
            throw new IllegalArgumentException("beta must be finite and > 0, got " + beta);
        }
        clip = clip == null ? 0.2 : clip;
        if (!(clip > 0 && Double.isFinite(clip))) {
            throw new IllegalArgumentException("clip must be finite and > 0, got " + clip);
        }
        klCoef = klCoef == null ? 0.0 : klCoef;
        if (!(klCoef >= 0 && Double.isFinite(klCoef))) {
            throw new IllegalArgumentException("klCoef must be finite and >= 0, got " + klCoef);
        }
        updatesPerBatch = ModelSection.atLeast("updatesPerBatch", updatesPerBatch, 1, 1);
        only("precomputeReference", precomputeReference, kind.equals("dpo"), "'dpo'");
        precomputeReference = precomputeReference != null && precomputeReference;
    }

    /** This phase under another name and seed, starting from {@code start} (a rerun of it, e.g. a seed baseline). */
    public PhaseSection rerun(String newName, long newSeed, String start) {
        boolean rl = reinforcement();
        boolean dpo = kind.equals("dpo");
        boolean grpo = kind.equals("grpo");
        return new PhaseSection(newName, kind, start, steps, batchSize, newSeed, optimizer, adamw, mask, logDeltas, evalEvery,
                evalPrompts, 0, rl ? temperature : null, rl ? topK : null, rl ? groupSize : null, dpo ? beta : null,
                grpo ? clip : null, grpo ? klCoef : null, grpo ? updatesPerBatch : null, dpo ? precomputeReference : null);
    }

    /**
     * The phase that {@code phases.get(index)} starts from: its {@code from}, else the previous
     * phase, else none (null: the model section's initial or loaded weights). The one place this
     * rule is written.
     */
    public static String startOf(java.util.List<PhaseSection> phases, int index) {
        PhaseSection p = phases.get(index);
        return p.from() != null ? p.from() : index > 0 ? phases.get(index - 1).name() : null;
    }

    /** Whether this phase samples from the policy (DPO, GRPO). */
    public boolean reinforcement() {
        return !kind.equals("sft");
    }

    private static void only(String field, Object value, boolean applies, String kinds) {
        if (value != null && !applies) {
            throw new IllegalArgumentException(field + " applies only to kind " + kinds);
        }
    }

    /** {@link #kind()} as the enum. */
    public PhaseKind phaseKind() {
        return PhaseKind.parse(kind);
    }
}
