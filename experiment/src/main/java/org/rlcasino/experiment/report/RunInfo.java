package org.rlcasino.experiment.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.rlcasino.io.AtomicFileWriter;

/**
 * {@code runs/<name>/run-info.json}: what the report needs besides the stages' CSVs — the config,
 * the seeds, and where and when the run happened.
 *
 * @param name       run name
 * @param configFile the run-config's path as given
 * @param config     the run-config's text
 * @param seeds      seeds used (the run's seed first, then the quality arms' seeds)
 * @param backend    backend description (e.g. {@code jvm (2 threads)})
 * @param machine    CPU model, cores and memory
 * @param jvm        Java runtime and VM
 * @param date       ISO-8601 instant the run (or the last re-run) started
 * @param command    the command line
 */
public record RunInfo(String name, String configFile, String config, List<Long> seeds, String backend, String machine,
                      String jvm, String date, String command) {
    public static final String FILE = "run-info.json";
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public void write(Path runDir) throws IOException {
        AtomicFileWriter.writeString(runDir.resolve(FILE), JSON.writeValueAsString(this) + "\n");
    }

    /** The run's info, or null when the file is absent. */
    public static RunInfo read(Path runDir) throws IOException {
        Path f = runDir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        return JSON.readValue(f.toFile(), RunInfo.class);
    }

    /** This machine: CPU model (from /proc/cpuinfo where present), logical cores and physical memory. */
    public static String thisMachine() {
        String cpu = System.getProperty("os.arch");
        try {
            Path info = Path.of("/proc/cpuinfo");
            if (Files.isReadable(info)) {
                for (String line : Files.readAllLines(info)) {
                    if (line.startsWith("model name")) {
                        cpu = line.substring(line.indexOf(':') + 1).strip();
                        break;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // keep the architecture name
        }
        long memory = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize();
        }
        return String.format(java.util.Locale.ROOT, "%s, %d logical cores, %s memory, %s %s", cpu,
                Runtime.getRuntime().availableProcessors(), memory < 0 ? "unknown" : String.format(java.util.Locale.ROOT,
                        "%.1f GiB", memory / (double) (1L << 30)), System.getProperty("os.name"), System.getProperty("os.version"));
    }

    /** This JVM: version, VM name and maximum heap. */
    public static String thisJvm() {
        return String.format(java.util.Locale.ROOT, "Java %s (%s), max heap %.1f GiB", Runtime.version(),
                System.getProperty("java.vm.name"), Runtime.getRuntime().maxMemory() / (double) (1L << 30));
    }
}
