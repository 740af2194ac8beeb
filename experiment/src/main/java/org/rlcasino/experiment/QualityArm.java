package org.rlcasino.experiment;

import org.rlcasino.io.config.MaskSection;
import org.rlcasino.io.config.PhaseSection;

import java.util.ArrayList;
import java.util.List;

import org.rlcasino.io.config.QualitySection;

/**
 * One RL run of the quality comparison: an optimizer (with a mask for the sparse arms) and a seed.
 *
 * @param name       phase name and directory, e.g. {@code q-bsr-magnitude-97.5-s1}
 * @param group      the arm without its seed: {@code dense}, {@code bsr magnitude 97.5}, {@code random 97.5}
 * @param optimizer  {@code adamw}, {@code bsr-adamw} or {@code random-mask}
 * @param maskMethod predictor of the mask ({@code null} for dense and random)
 * @param sparsity   percent (0 for dense)
 * @param seed       seed
 * @param mask       mask file relative to the run directory ({@code null} for dense and random: the trainer
 *                   draws the random mask itself from the seed and the density)
 * @param maskBlock  the mask's structure: {@code element} or a block shape {@code RxC} ({@code null} for dense
 *                   and random)
 */
public record QualityArm(String name, String group, String optimizer, String maskMethod, double sparsity, long seed, String mask,
                         String maskBlock) {
    /** Every arm of {@code q}, seeds innermost so that arms of one seed finish together. */
    public static List<QualityArm> of(QualitySection q) {
        List<QualityArm> arms = new ArrayList<>();
        for (long seed : q.seeds()) {
            if (q.dense()) {
                arms.add(new QualityArm("q-dense-s" + seed, "dense", "adamw", null, 0, seed, null, null));
            }
            for (double sp : q.sparsities()) {
                String s = label(sp);
                for (String m : q.maskMethods()) {
                    for (String b : q.maskBlocks()) {
                        // element masks keep the names they had before block structures existed
                        String structure = b.equals("element") ? "" : b + "-";
                        String group = b.equals("element") ? "bsr " + m + " " + s : "bsr " + m + " " + b + " " + s;
                        arms.add(new QualityArm("q-bsr-" + m + "-" + structure + s + "-s" + seed, group, "bsr-adamw", m, sp,
                                seed, MasksStage.NAME + "/" + m + "-" + structure + s + ".arrow", b));
                    }
                }
                if (q.random()) {
                    arms.add(new QualityArm("q-random-" + s + "-s" + seed, "random " + s, "random-mask", null, sp, seed, null,
                            null));
                }
            }
        }
        return arms;
    }

    /**
     * The run-config's own phases that are arms of {@code q} too: those that start from
     * {@code q.from()} (explicitly, or as the phase right after it) with the same RL objective.
     * Their seed is the phase's seed, else {@code configSeed}; a sparse phase's mask is its own
     * (file, inline from deltas, or random) and its group is named like the generated arms'
     * ({@code bsr <scorer> <sparsity>}, {@code random <sparsity>}), so that they are averaged together.
     */
    public static List<QualityArm> ofPhases(List<PhaseSection> phases, QualitySection q, long configSeed) {
        List<QualityArm> arms = new ArrayList<>();
        for (int i = 0; i < phases.size(); i++) {
            PhaseSection p = phases.get(i);
            String from = PhaseSection.startOf(phases, i);
            if (!q.from().equals(from) || !q.kind().equals(p.kind())) {
                continue;
            }
            long seed = p.seed() != null ? p.seed() : configSeed;
            MaskSection m = p.mask();
            switch (p.optimizer()) {
                case "adamw" -> arms.add(new QualityArm(p.name(), "dense", "adamw", null, 0, seed, null, null));
                case "bsr-adamw" -> {
                    if (m != null && m.sparsity() != null && m.fromPhase() != null) {
                        String s = label(m.sparsity());
                        arms.add(new QualityArm(p.name(), "bsr " + m.scorer() + " " + s, "bsr-adamw", m.scorer(), m.sparsity(), seed, null,
                                "element"));
                    }
                }
                case "random-mask" -> {
                    if (m != null && m.sparsity() != null) {
                        String s = label(m.sparsity());
                        arms.add(new QualityArm(p.name(), "random " + s, "random-mask", null, m.sparsity(), seed, null, null));
                    }
                }
                default -> { }
            }
        }
        return arms;
    }

    static String label(double sparsity) {
        return sparsity == Math.rint(sparsity) ? Long.toString((long) sparsity) : Double.toString(sparsity);
    }
}
