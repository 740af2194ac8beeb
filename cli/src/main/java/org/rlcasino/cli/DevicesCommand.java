package org.rlcasino.cli;

import java.io.PrintWriter;

import org.rlcasino.kernels.BackendProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code casino devices}: the backends available in this process and their devices. */
@Command(name = "devices",
        header = "List the backends and their devices.", mixinStandardHelpOptions = true,
        description = {"Lists the backends available in this process and their devices (driver:device ids for --device).",
                "TornadoVM devices appear when run as 'bin/casino devices --backend tornado'."})
final class DevicesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Option(names = "--backend", defaultValue = "jvm", paramLabel = "KIND",
            description = "Also require this backend to be present (bin/casino loads TornadoVM for 'tornado').")
    String kind;

    @Override
    public void run() {
        BackendProvider.of(kind); // fails with what to do when the requested backend is absent
        PrintWriter out = spec.commandLine().getOut();
        boolean tornado = false;
        for (BackendProvider provider : BackendProvider.all()) {
            tornado |= provider.kind().equals("tornado");
            out.println("backend " + provider.kind() + ":");
            for (String device : provider.devices()) {
                out.println("  " + device);
            }
        }
        if (!tornado) {
            out.println("backend tornado: not in this process (run 'bin/casino devices --backend tornado' with TORNADOVM_HOME set)");
        }
        out.flush();
    }
}
