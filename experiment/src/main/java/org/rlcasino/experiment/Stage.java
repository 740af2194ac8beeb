package org.rlcasino.experiment;

import java.nio.file.Path;
import java.util.List;

/**
 * One step of an experiment: reads files of earlier stages, writes files into its own directory
 * {@code runs/<name>/<stage>/}. {@link StageRunner} skips it when its outputs exist and its
 * fingerprint (config section + upstream results) is unchanged.
 */
public interface Stage {
    /** Directory name under the run directory; unique in a plan. */
    String name();

    /** Stages whose outputs this one reads (their results feed this one's fingerprint). */
    List<String> dependencies();

    /**
     * Everything besides upstream results that decides this stage's outputs, as text (typically the
     * JSON of its config section, plus sizes and times of external input files).
     */
    String inputs() throws Exception;

    /** Files (relative to the stage directory) that must exist after a successful run. */
    List<String> outputs();

    /** Does the work, writing under {@code dir} (empty when called). */
    void run(Path dir, StageContext context) throws Exception;

    /**
     * Whether an interrupted run of this stage can be continued where it stopped (a training phase,
     * from its periodic checkpoints); see {@link #resume}.
     */
    default boolean resumable() {
        return false;
    }

    /**
     * Continues an interrupted run in {@code dir}, which is not emptied; called instead of
     * {@link #run} when the runner resumes and the stage is {@link #resumable()}.
     */
    default void resume(Path dir, StageContext context) throws Exception {
        run(dir, context);
    }
}
