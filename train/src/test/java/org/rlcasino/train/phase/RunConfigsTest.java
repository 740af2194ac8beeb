package org.rlcasino.train.phase;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.rlcasino.io.config.RunConfig;
import org.rlcasino.io.config.RunConfigLoader;
import org.rlcasino.train.task.VerifiableTask;

import static org.assertj.core.api.Assertions.assertThat;

/** The committed run-configs load, and their tasks and models fit together. */
class RunConfigsTest {
    @Test
    void everyCommittedRunConfigLoads() throws Exception {
        Path dir = Path.of("..", "run-configs");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("quickstart.json", "addition-dpo.json", "addition-grpo.json", "chat-dpo.json");
        for (Path f : files) {
            RunConfig c = RunConfigLoader.load(f);
            assertThat(c.name()).as(f.toString()).isEqualTo(f.getFileName().toString().replace(".json", ""));
            if (c.task() != null && c.task().dataset()) {
                // paths are relative to the repository root, where bin/casino runs
                assertThat(Path.of("..").resolve(c.task().file())).as(f + ": task.file").isRegularFile();
                assertThat(Path.of("..").resolve(c.model().directory()).resolve("config.json")).as(f + ": model").isRegularFile();
            } else if (!c.phases().isEmpty()) {
                VerifiableTask t = new VerifiableTask(c.task().kind(), c.task().digits(), c.task().heldOutPrompts(), c.task().splitSeed());
                assertThat(t.maxPromptLength() + t.maxCompletionTokens()).as(f + ": maxSeqLen").isLessThanOrEqualTo(c.model().maxSeqLen());
            }
        }
    }
}
