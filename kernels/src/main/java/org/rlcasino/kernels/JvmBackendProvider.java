package org.rlcasino.kernels;

import java.util.List;

/** Provides {@link JvmBackend}s: kind {@code jvm}, one device (the host CPU). */
public final class JvmBackendProvider implements BackendProvider {
    @Override
    public String kind() {
        return "jvm";
    }

    @Override
    public Backend create(int threads, String device) {
        if (device != null && !device.equals("0:0")) {
            throw new IllegalArgumentException("the jvm backend has one device, 0:0 (the host); got --device " + device);
        }
        return new JvmBackend(threads, JvmBackend.DEFAULT_CHUNK_SIZE);
    }

    @Override
    public List<String> devices() {
        return List.of("0:0  host CPU (" + Runtime.getRuntime().availableProcessors() + " processors, "
                + System.getProperty("os.arch") + ")");
    }
}
