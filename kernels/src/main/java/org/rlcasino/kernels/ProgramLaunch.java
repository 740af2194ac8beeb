package org.rlcasino.kernels;

/**
 * A {@link KernelProgram} prepared by a backend. Prepare once, run every step: on the JVM each run
 * launches the calls in order; on TornadoVM it executes the program's task graph over the
 * device-resident arrays.
 */
public interface ProgramLaunch {

    /** The program this launch runs. */
    KernelProgram program();

    /**
     * Runs every call in order; returns when all have finished and the program's outputs are on the
     * host. Its inputs are read from the host arrays when the run starts.
     */
    void run();

    /**
     * A program run as its calls launched one after the other, each prepared by {@code prepare}:
     * what a host backend does with a program.
     */
    static ProgramLaunch sequential(KernelProgram program, java.util.function.Function<KernelCall, KernelLaunch> prepare) {
        KernelLaunch[] launches = new KernelLaunch[program.calls().size()];
        for (int i = 0; i < launches.length; i++) {
            launches[i] = prepare.apply(program.calls().get(i));
        }
        return new ProgramLaunch() {
            @Override
            public KernelProgram program() {
                return program;
            }

            @Override
            public void run() {
                for (KernelLaunch launch : launches) {
                    launch.launch();
                }
            }
        };
    }
}
