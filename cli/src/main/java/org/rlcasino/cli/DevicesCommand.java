package org.rlcasino.cli;

import java.io.PrintWriter;

import org.rlcasino.tasks.BackendProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code casino devices}: the backends available in this process and their devices. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = {"Lists the backends available in this process and their devices (driver:device ids for --device).",
                "TornadoVM devices appear when run as 'bin/casino --backend tornado devices'."})
final class DevicesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
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
            out.println("backend tornado: not in this process (run 'bin/casino --backend tornado devices' with TORNADOVM_HOME set)");
        }
        out.flush();
    }
}
