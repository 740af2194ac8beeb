package org.rlcasino.io.arrow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;

/**
 * Reads a score file ({@code rlcasino.scores}) row by row: each row is one chunk of one tensor.
 * One record batch in memory at a time; rows are checked like {@link DeltaStreamReader}'s.
 */
public final class ScoreFileReader extends FloatChunkFileReader {
    private final ScoreFileInfo info;

    private ScoreFileReader(ArrowFileInput in) {
        super(in, false);
        String method = in.require(RlcasinoArrowFile.METHOD);
        Map<String, String> parameters = in.parse(RlcasinoArrowFile.PARAMETERS, in.require(RlcasinoArrowFile.PARAMETERS),
                v -> MetadataJson.parseStringMap(RlcasinoArrowFile.PARAMETERS, v));
        List<Integer> sourceSteps = in.parse(RlcasinoArrowFile.SOURCE_STEPS, in.require(RlcasinoArrowFile.SOURCE_STEPS),
                v -> MetadataJson.parseIntList(RlcasinoArrowFile.SOURCE_STEPS, v));
        this.info = in.parse(RlcasinoArrowFile.METHOD, method, m -> new ScoreFileInfo(m, parameters, sourceSteps));
    }

    /** Opens {@code file} and checks its format, version, metadata and columns. */
    public static ScoreFileReader open(Path file, BufferAllocator allocator) throws IOException {
        ArrowFileInput in = ArrowFileInput.open(file, RlcasinoFormat.SCORES, allocator);
        try {
            return new ScoreFileReader(in);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Method, parameters and source steps. */
    public ScoreFileInfo info() {
        return info;
    }
}
