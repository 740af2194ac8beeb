package org.rlcasino.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.rlcasino.io.AtomicFileWriter;

/**
 * Written atomically as {@code <stage>/manifest.json} when a stage has finished; its absence means
 * the stage never finished (or was killed midway) and must run again.
 *
 * @param stage       stage name
 * @param fingerprint SHA-256 of the stage's inputs and its upstream stages' results
 * @param finishedAt  ISO-8601 instant the stage finished
 * @param seconds     wall time of the stage
 * @param outputs     the stage's declared output files with their sizes
 */
public record StageManifest(String stage, String fingerprint, String finishedAt, double seconds, List<Output> outputs) {
    public static final String FILE = "manifest.json";
    static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** One output file and its size in bytes. */
    public record Output(String path, long bytes) {}

    /** What downstream stages fold into their fingerprints: changes whenever this stage re-ran. */
    public String resultToken() {
        return fingerprint + "@" + finishedAt;
    }

    /** Whether every output still exists with its recorded size. */
    public boolean outputsIntact(Path dir) {
        for (Output o : outputs) {
            Path p = dir.resolve(o.path());
            try {
                if (!Files.isRegularFile(p) || Files.size(p) != o.bytes()) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** The manifest in {@code dir}, or null when absent or unreadable (the stage is then redone). */
    public static StageManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), StageManifest.class);
        } catch (IOException e) {
            return null;
        }
    }

    public void write(Path dir) throws IOException {
        AtomicFileWriter.writeString(dir.resolve(FILE), JSON.writeValueAsString(this) + "\n");
    }
}
