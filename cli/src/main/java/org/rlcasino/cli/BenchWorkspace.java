package org.rlcasino.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.rlcasino.io.AtomicFileWriter;
import org.rlcasino.io.safetensors.Dtype;
import picocli.CommandLine;

/**
 * Where a benchmark keeps its synthetic data: the user's {@code --dir} (kept, so a later run reuses
 * it) or a temporary directory deleted when the workspace closes.
 */
final class BenchWorkspace implements AutoCloseable {
    private final Path path;
    private final boolean temporary;

    private BenchWorkspace(Path path, boolean temporary) {
        this.path = path;
        this.temporary = temporary;
    }

    /** {@code dir} if given (created if missing), else a new temporary directory named after {@code benchmark}. */
    static BenchWorkspace open(Path dir, String benchmark) throws IOException {
        if (dir != null) {
            Files.createDirectories(dir);
            return new BenchWorkspace(dir, false);
        }
        return new BenchWorkspace(Files.createTempDirectory("rlcasino-bench-" + benchmark + "-"), true);
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        if (temporary) {
            try (var files = Files.walk(path)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The machine a benchmark ran on, for its JSON output: OS, processors, max heap, JVM. */
    static Map<String, String> machine() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("processors", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("maxHeapBytes", String.valueOf(Runtime.getRuntime().maxMemory()));
        m.put("java", Runtime.version() + " " + System.getProperty("java.vm.name"));
        return m;
    }

    /** Writes a benchmark's figures as indented JSON, atomically. */
    static void writeJson(Path file, Map<String, Object> document) throws IOException {
        byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(document);
        AtomicFileWriter.write(file, out -> out.write(bytes));
    }

    /** Converts {@code --dtype} values: a floating-point safetensors dtype (F32, F16, BF16; any case). */
    static final class FloatDtype implements CommandLine.ITypeConverter<Dtype> {
        @Override
        public Dtype convert(String value) {
            Dtype dtype;
            try {
                dtype = Dtype.parse(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
            if (!dtype.isFloatingPoint()) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a floating-point dtype (F32, F16, BF16)");
            }
            return dtype;
        }
    }
}
