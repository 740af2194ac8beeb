package org.rlcasino.kernels;

import java.util.Map;
import java.util.WeakHashMap;

/**
 * Checks, where a {@link KernelProgram} is prepared, that every array crosses the bus the same way
 * in every program that uses it: an array that one program sends in (input) or back (output) is
 * kept per program on a device, so another program may not treat it as resident, and the other
 * way round. Both backends check it, so a mistake shows in the JVM tests rather than as stale data
 * on a device. Arrays are held weakly (arrays compare by identity).
 */
public final class ProgramRegistry {
    private final Map<Object, String> crossing = new WeakHashMap<>();
    private final Map<Object, String> resident = new WeakHashMap<>();

    /** Records {@code program}'s arrays; an {@link IllegalArgumentException} naming both programs on a conflict. */
    public synchronized void register(KernelProgram program) {
        for (Object a : program.arrays()) {
            boolean crosses = program.inputs().contains(a) || program.outputs().contains(a);
            String other = crosses ? resident.get(a) : crossing.get(a);
            if (other != null) {
                String kind = a instanceof float[] f ? "float[" + f.length + "]" : "int[" + ((int[]) a).length + "]";
                throw new IllegalArgumentException("program " + program.name() + " " + (crosses ? "sends" : "keeps") + " a "
                        + kind + " that program " + other + " " + (crosses ? "keeps on the device" : "sends with every run")
                        + ": declare it an input or output in both programs, or in neither");
            }
            (crosses ? crossing : resident).putIfAbsent(a, program.name());
        }
    }
}
