package org.rlcasino.io.config;

import java.util.Locale;

import org.rlcasino.io.arrow.DeltaBasis;
import org.rlcasino.io.arrow.BlockShape;

/**
 * The mask of a sparse phase ({@code bsr-adamw} or {@code random-mask}). Exactly one source:
 * {@code file} (a mask file written by {@code casino mask}), {@code fromPhase} (built inline from
 * that earlier phase's {@code deltas.arrow} with a scorer and a builder, written to this phase's
 * {@code mask.arrow}), or, for {@code random-mask} only, neither (a seeded uniform random mask at
 * {@code sparsity}).
 *
 * @param file      mask file (rlcasino.mask), relative to the working directory
 * @param fromPhase earlier phase whose logged deltas are scored
 * @param scorer    {@code magnitude} (default), {@code momentum} or {@code fisher}
 * @param firstStep first delta step scored, inclusive (default: the file's first)
 * @param lastStep  last delta step scored, inclusive (default: the file's last)
 * @param sparsity  percent of entries frozen, in [0, 100) (97.5 = 97.5 % frozen, as {@code casino mask
 *                  --sparsity}; required unless {@code file} is given; with {@code file} and
 *                  {@code random-mask}: default the file's density)
 * @param builder   {@code exact} (default), {@code sampled}, {@code per-tensor}, {@code random} or {@code block}
 * @param seed      seed of sampled/random builders and of {@code random-mask} (default: the phase seed)
 * @param basis     delta basis the scorer works on, {@code start} (default) or {@code step}; the deltas file is
 *                  converted when it holds the other (with {@code fromPhase} only)
 * @param block     block shape {@code RxC} (default {@code 16x16}; e.g. 32x32, 64x64, 1x64 row stripes, 64x1
 *                  column stripes): the blocks of 2-D weights whose gradient the backward computes (every block
 *                  holding an active entry), and the block builder's blocks
 */
public record MaskSection(String file, String fromPhase, String scorer, Integer firstStep, Integer lastStep,
                          Double sparsity, String builder, Long seed, String basis, String block) {

    /** {@link #block()} as a shape. */
    public BlockShape blockShape() {
        return BlockShape.parse(block);
    }

    /** {@link #scorer()} as a {@link ScorerName} (one of {@link ScorerName#SCORERS}). */
    public ScorerName scorerName() {
        return ScorerName.parse("scorer", scorer, ScorerName.SCORERS);
    }

    /** {@link #basis()} as a {@link DeltaBasis}. */
    public DeltaBasis deltaBasis() {
        return DeltaBasis.of(basis);
    }

    /** {@link #sparsity()} as a fraction in [0, 1), or null. */
    public Double sparsityFraction() {
        return sparsity == null ? null : sparsity / 100;
    }

    public MaskSection {
        if (file != null && fromPhase != null) {
            throw new IllegalArgumentException("give either file or fromPhase, not both");
        }
        if (file != null && file.isBlank()) {
            throw new IllegalArgumentException("file must name a mask file, got an empty string");
        }
        scorer = scorer == null ? ScorerName.MAGNITUDE.label()
                : ScorerName.parse("scorer", scorer.toLowerCase(Locale.ROOT), ScorerName.SCORERS).label();
        builder = builder == null ? "exact" : builder.toLowerCase(Locale.ROOT);
        if (!java.util.List.of("exact", "sampled", "per-tensor", "random", "block").contains(builder)) {
            throw new IllegalArgumentException("builder must be 'exact', 'sampled', 'per-tensor', 'random' or 'block', got '"
                    + builder + "'");
        }
        if (firstStep != null && firstStep < 0 || lastStep != null && lastStep < 0) {
            throw new IllegalArgumentException("firstStep and lastStep must be >= 0");
        }
        if (firstStep != null && lastStep != null && firstStep > lastStep) {
            throw new IllegalArgumentException("firstStep (" + firstStep + ") must be <= lastStep (" + lastStep + ")");
        }
        if (sparsity != null && !(sparsity >= 0 && sparsity < 100)) {
            throw new IllegalArgumentException("sparsity must be a percentage in [0, 100) (97.5 = 97.5 % frozen), got " + sparsity);
        }
        if (fromPhase != null && sparsity == null) {
            throw new IllegalArgumentException("sparsity is required with fromPhase");
        }
        BlockShape shape;
        try {
            shape = BlockShape.parse(block == null ? "16x16" : block);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("block: " + e.getMessage());
        }
        block = shape.toString();
        if (file != null && basis != null) {
            throw new IllegalArgumentException("basis goes with fromPhase, not with file");
        }
        basis = basis == null ? DeltaBasis.START.label() : DeltaBasis.of(basis).label();
        if (file != null && (firstStep != null || lastStep != null)) {
            throw new IllegalArgumentException("firstStep/lastStep go with fromPhase, not with file");
        }
    }
}
