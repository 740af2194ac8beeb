package org.rlcasino.eval.experiment;

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
 */
public record QualityArm(String name, String group, String optimizer, String maskMethod, double sparsity, long seed, String mask) {
    /** Every arm of {@code q}, seeds innermost so that arms of one seed finish together. */
    public static List<QualityArm> of(QualitySection q) {
        List<QualityArm> arms = new ArrayList<>();
        for (long seed : q.seeds()) {
            if (q.dense()) {
                arms.add(new QualityArm("q-dense-s" + seed, "dense", "adamw", null, 0, seed, null));
            }
            for (double sp : q.sparsities()) {
                String s = label(sp);
                for (String m : q.maskMethods()) {
                    arms.add(new QualityArm("q-bsr-" + m + "-" + s + "-s" + seed, "bsr " + m + " " + s, "bsr-adamw", m, sp, seed,
                            MasksStage.NAME + "/" + m + "-" + s + ".arrow"));
                }
                if (q.random()) {
                    arms.add(new QualityArm("q-random-" + s + "-s" + seed, "random " + s, "random-mask", null, sp, seed, null));
                }
            }
        }
        return arms;
    }

    static String label(double sparsity) {
        return sparsity == Math.rint(sparsity) ? Long.toString((long) sparsity) : Double.toString(sparsity);
    }
}
