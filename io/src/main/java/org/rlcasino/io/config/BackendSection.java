package org.rlcasino.io.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where kernels run.
 *
 * @param kind    {@code jvm} (default) or {@code tornado}
 * @param threads JVM backend threads, {@code >= 1} (default: available processors)
 * @param device  TornadoVM device as {@code driver:device}, e.g. {@code 0:0} (default: TornadoVM's default)
 */
public record BackendSection(String kind, Integer threads, String device) {
    static final BackendSection DEFAULTS = new BackendSection(null, null, null);
    private static final Pattern DEVICE = Pattern.compile("\\d+:\\d+");

    public BackendSection {
        kind = kind == null ? "jvm" : kind.toLowerCase(Locale.ROOT);
        if (!kind.equals("jvm") && !kind.equals("tornado")) {
            throw new IllegalArgumentException("kind must be 'jvm' or 'tornado', got '" + kind + "'");
        }
        threads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (device != null && !DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("device must look like 0:0 (driver:device), got '" + device + "'");
        }
    }
}
