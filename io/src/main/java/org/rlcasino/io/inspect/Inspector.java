package org.rlcasino.io.inspect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

import org.rlcasino.io.Progress;
import org.rlcasino.io.arrow.RlcasinoArrowFile;
import org.rlcasino.io.arrow.RlcasinoFormat;
import org.rlcasino.io.safetensors.SafetensorsCheckpoint;

/**
 * What a safetensors checkpoint, a Hugging Face model directory or an RL Casino Arrow file holds
 * ({@code casino inspect}): the file is recognised by its name or its first bytes, a directory with
 * a {@code config.json} as a model ({@link ModelInspector}), and tensors are read in bounded chunks
 * for statistics ({@link TensorStatistics}).
 */
public final class Inspector {
    private static final byte[] ARROW_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

    private Inspector() {}

    /**
     * How to inspect.
     *
     * @param stats       whether to read the values for statistics
     * @param chunk       elements per read of a safetensors tensor
     * @param rows        metric-table rows to show
     * @param progressFor the progress of a pass over the given number of values ({@link Progress#NONE} for none)
     */
    public record Settings(boolean stats, int chunk, int rows, LongFunction<Progress> progressFor) {
        public Settings {
            if (chunk < 1) {
                throw new IllegalArgumentException("chunk must be >= 1, got " + chunk);
            }
            if (rows < 0) {
                throw new IllegalArgumentException("rows must be >= 0, got " + rows);
            }
        }

        /** Settings that report no progress. */
        public Settings(boolean stats, int chunk, int rows) {
            this(stats, chunk, rows, values -> Progress.NONE);
        }

        /** The progress of a pass over {@code values} values. */
        Progress progress(long values) {
            return progressFor.apply(values);
        }
    }

    /** Recognises {@code file} by its name, or else by its first bytes, and inspects it. */
    public static Inspection inspect(Path file, Settings settings) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (ModelInspector.isModelDirectory(file)) {
            return ModelInspector.inspect(file, settings);
        }
        if (Files.isDirectory(file) || name.endsWith(".safetensors") || name.endsWith(SafetensorsCheckpoint.INDEX_SUFFIX)) {
            return SafetensorsInspector.inspect(file, settings);
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(9);
        }
        if (head.length >= ARROW_MAGIC.length && Arrays.equals(head, 0, ARROW_MAGIC.length, ARROW_MAGIC, 0, ARROW_MAGIC.length)) {
            return RlcasinoArrowInspector.inspect(file, RlcasinoArrowFile.formatOf(file), settings);
        }
        if (looksLikeSafetensors(head, Files.size(file))) {
            return SafetensorsInspector.inspect(file, settings);
        }
        throw new IllegalArgumentException(file + " is neither a safetensors checkpoint (a *.safetensors file, a directory of shards"
                + " or a *" + SafetensorsCheckpoint.INDEX_SUFFIX + ") nor an RL Casino Arrow file ("
                + Arrays.stream(RlcasinoFormat.values()).map(RlcasinoFormat::formatName).collect(Collectors.joining(", ")) + ")");
    }

    /** Safetensors starts with the header's length (8 bytes, little-endian, within the file) and then the header's '{'. */
    private static boolean looksLikeSafetensors(byte[] head, long size) {
        if (head.length < 9) {
            return false;
        }
        long headerLength = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return headerLength >= 2 && headerLength <= size - 8 && head[8] == '{';
    }
}
