package org.rlcasino.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Creates backends of one kind ({@code jvm}, {@code tornado}). Providers are found with
 * {@link ServiceLoader}: the JVM one is always there; the TornadoVM one only when the
 * {@code tornado-backend} jar and a TornadoVM runtime are on the path ({@code bin/casino --backend tornado}).
 */
public interface BackendProvider {

    /** The kind this provider creates, as given to {@code --backend}. */
    String kind();

    /**
     * A new backend.
     *
     * @param threads host threads (the JVM backend's pool), {@code >= 1}
     * @param device  device as {@code driver:device} (e.g. {@code 0:1}), or null for the default
     */
    Backend create(int threads, String device);

    /** One line per device this provider can run on, each starting with its {@code driver:device} id. */
    List<String> devices();

    /** Every provider found. */
    static List<BackendProvider> all() {
        List<BackendProvider> providers = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(providers::add);
        return providers;
    }

    /** The provider of {@code kind}; an {@link IllegalArgumentException} saying what to do when there is none. */
    static BackendProvider of(String kind) {
        List<String> known = new ArrayList<>();
        for (BackendProvider p : all()) {
            if (p.kind().equals(kind)) {
                return p;
            }
            known.add(p.kind());
        }
        if (kind.equals("tornado")) {
            throw new IllegalArgumentException("the TornadoVM backend is not available in this process: build it with "
                    + "'mvn -B -ntp -Ptornado package' and run through 'bin/casino --backend tornado …' with TORNADOVM_HOME "
                    + "set to a TornadoVM SDK for JDK 25");
        }
        throw new IllegalArgumentException("unknown backend '" + kind + "' (available: " + String.join(", ", known) + ")");
    }
}
