package org.rlcasino.cli;

import org.rlcasino.io.config.BackendSection;
import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.BackendProvider;
import picocli.CommandLine.Option;

/** {@code --backend}, {@code --device}, {@code --threads}: shared by every command that runs kernels. */
final class BackendOptions {
    @Option(names = "--backend", paramLabel = "KIND",
            description = "Where kernels run: jvm or tornado (bin/casino --backend tornado needs TORNADOVM_HOME). "
                    + "Default: the run-config's backend.kind where the command reads one, else jvm.")
    String kind;

    @Option(names = "--device", paramLabel = "D:N",
            description = "Device as driver:device (see 'casino devices'). Default: the backend's default.")
    String device;

    @Option(names = "--threads", paramLabel = "T",
            description = "Host threads of the JVM backend. Default: available processors.")
    Integer threads;

    int threads() {
        return JvmThreadsOptions.resolve(threads);
    }

    Backend open() {
        return open(null);
    }

    /**
     * Checks what was given before a command writes anything: {@code --device} as driver:device, and a
     * {@code --backend} that this process can create (the TornadoVM one needs the tornado launcher).
     */
    void check() {
        check(null);
    }

    /** As {@link #check()}, for the backend these options choose over a run-config's {@code config} section. */
    void check(BackendSection config) {
        if (device != null && !device.matches("\\d+:\\d+")) {
            throw new IllegalArgumentException("--device must look like 0:0 (driver:device), got '" + device + "'");
        }
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        String k = kind != null ? kind : config != null ? config.kind() : null;
        if (k != null) {
            BackendProvider.of(k);
        }
    }

    /** The backend these options choose, falling back to a run-config's backend section for what they leave out. */
    Backend open(BackendSection config) {
        if (device != null && !device.matches("\\d+:\\d+")) {
            throw new IllegalArgumentException("--device must look like 0:0 (driver:device), got '" + device + "'");
        }
        if (config != null && threads == null) {
            threads = config.threads();
        }
        String k = kind != null ? kind : config != null ? config.kind() : "jvm";
        String d = device != null ? device : config != null ? config.device() : null;
        return BackendProvider.of(k).create(threads(), d);
    }

    /** {@code config} with what these options set put over it (for commands that hand a run-config on). */
    BackendSection over(BackendSection config) {
        check();
        return new BackendSection(kind != null ? kind : config.kind(), threads != null ? threads : config.threads(),
                device != null ? device : config.device());
    }
}
