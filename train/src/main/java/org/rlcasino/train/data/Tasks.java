package org.rlcasino.train.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.TaskSection;
import org.rlcasino.train.task.RlTask;
import org.rlcasino.train.task.VerifiableTask;

/** The {@link RlTask} of a run-config's task section. */
public final class Tasks {
    private Tasks() {}

    /** A synthetic task, or a prompts or preferences dataset read with the tokenizer of {@code model.init} or {@code model.config}. */
    public static RlTask open(RunConfig run) {
        TaskSection t = run.task();
        if (!t.dataset()) {
            return new VerifiableTask(t.kind(), t.digits(), t.heldOutPrompts(), t.splitSeed(), VerifiableTask.Reward.parse(t.reward()));
        }
        try {
            Path init = run.model() == null || run.model().directory() == null ? null : Path.of(run.model().directory());
            return t.kind().equals(TaskSection.PROMPTS) ? PromptDatasetTask.open(t, init) : PreferenceDatasetTask.open(t, init);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
