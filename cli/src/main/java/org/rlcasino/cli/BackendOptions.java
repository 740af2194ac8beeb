package org.rlcasino.cli;

import org.rlcasino.tasks.Backend;
import org.rlcasino.tasks.BackendProvider;
import picocli.CommandLine.Option;

/** {@code --backend}, {@code --device}, {@code --threads}: shared by every command that runs kernels. */
final class BackendOptions {
    @Option(names = "--backend", defaultValue = "jvm", paramLabel = "KIND",
            description = "Where kernels run: jvm or tornado (bin/casino --backend tornado needs TORNADOVM_HOME). Default: ${DEFAULT-VALUE}.")
    String kind;

    @Option(names = "--device", paramLabel = "D:N",
            description = "Device as driver:device (see 'casino devices'). Default: the backend's default.")
    String device;

    @Option(names = "--threads", paramLabel = "T",
            description = "Host threads of the JVM backend. Default: available processors.")
    Integer threads;

    int threads() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + t);
        }
        return t;
    }

    Backend open() {
        if (device != null && !device.matches("\\d+:\\d+")) {
            throw new IllegalArgumentException("--device must look like 0:0 (driver:device), got '" + device + "'");
        }
        return BackendProvider.of(kind).create(threads(), device);
    }
}
