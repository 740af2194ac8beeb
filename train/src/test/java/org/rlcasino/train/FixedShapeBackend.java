package org.rlcasino.train;

import java.util.HashSet;
import java.util.Set;

import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.JvmBackend;
import org.rlcasino.kernels.KernelCall;
import org.rlcasino.kernels.KernelLaunch;
import org.rlcasino.kernels.KernelProgram;
import org.rlcasino.kernels.ProgramLaunch;

/**
 * The JVM backend asking for one batch shape per program, as TornadoVM does: lets a default-build
 * test run the padded paths (DPO pairs, generator rows) and count the programs prepared late: while
 * another live program has already run, which on TornadoVM rebuilds the plan and compiles again.
 */
public final class FixedShapeBackend implements Backend {
    private final JvmBackend jvm;
    private final Set<ProgramLaunch> live = new HashSet<>();
    private boolean liveProgramRan;
    private int programsPrepared;
    private int preparedLate;

    public FixedShapeBackend(int threads) {
        this.jvm = new JvmBackend(threads, JvmBackend.DEFAULT_CHUNK_SIZE);
    }

    /** Programs prepared so far (on TornadoVM each one after the first run would rebuild the plan). */
    public int programsPrepared() {
        return programsPrepared;
    }

    /** Programs prepared while a live program had already run (each a plan rebuild on TornadoVM). */
    public int preparedLate() {
        return preparedLate;
    }

    @Override
    public boolean fixedShapes() {
        return true;
    }

    @Override
    public String name() {
        return "fixed-shape " + jvm.name();
    }

    @Override
    public int parallelism() {
        return jvm.parallelism();
    }

    @Override
    public KernelLaunch prepare(KernelCall call) {
        return jvm.prepare(call);
    }

    @Override
    public ProgramLaunch prepare(KernelProgram program) {
        programsPrepared++;
        if (liveProgramRan) {
            preparedLate++;
        }
        ProgramLaunch launch = jvm.prepare(program);
        ProgramLaunch counted = new ProgramLaunch() {
            @Override
            public KernelProgram program() {
                return program;
            }

            @Override
            public void run() {
                liveProgramRan = true;
                launch.run();
            }
        };
        live.add(counted);
        return counted;
    }

    @Override
    public void release(ProgramLaunch launch) {
        live.remove(launch);
        if (live.isEmpty()) {
            liveProgramRan = false;
        }
    }

    @Override
    public void syncToHost(Object array) {
        jvm.syncToHost(array);
    }

    @Override
    public void close() {
        jvm.close();
    }
}
