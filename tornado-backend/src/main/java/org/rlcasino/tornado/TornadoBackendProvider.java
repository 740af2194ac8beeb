package org.rlcasino.tornado;

import java.util.ArrayList;
import java.util.List;

import org.rlcasino.kernels.Backend;
import org.rlcasino.kernels.BackendProvider;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/** Provides {@link org.rlcasino.tornado.TornadoBackend}s: kind {@code tornado}, devices {@code driver:device}. */
public final class TornadoBackendProvider implements BackendProvider {
    @Override
    public String kind() {
        return "tornado";
    }

    @Override
    public Backend create(int threads, String device) {
        if (device == null) {
            try {
                return new org.rlcasino.tornado.TornadoBackend(-1, 0);
            } catch (LinkageError e) {
                throw driverMissing(e);
            }
        }
        String[] parts = device.split(":");
        int driver = Integer.parseInt(parts[0]);
        int index = Integer.parseInt(parts[1]);
        List<TornadoBackend> drivers = drivers();
        if (driver >= drivers.size() || index >= drivers.get(driver).getNumDevices()) {
            throw new IllegalArgumentException("no TornadoVM device " + device + "; 'casino devices' lists them:\n  "
                    + String.join("\n  ", devices()));
        }
        return new org.rlcasino.tornado.TornadoBackend(driver, index);
    }

    /** TornadoVM's backends; loading them loads their native libraries and the device drivers those need. */
    private static List<TornadoBackend> drivers() {
        try {
            return TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends();
        } catch (LinkageError e) {
            throw driverMissing(e);
        }
    }

    /** A backend's native library or its driver did not load: say which and what provides it. */
    private static IllegalArgumentException driverMissing(LinkageError e) {
        return new IllegalArgumentException("TornadoVM could not load a backend's native library: " + e.getMessage()
                + ". The PTX backend needs the NVIDIA driver (libcuda.so.1), the OpenCL backend an OpenCL loader and "
                + "driver (libOpenCL.so.1 and an ICD, e.g. Debian's pocl-opencl-icd); or use --backend jvm", e);
    }

    @Override
    public List<String> devices() {
        List<String> lines = new ArrayList<>();
        List<TornadoBackend> drivers = drivers();
        for (int d = 0; d < drivers.size(); d++) {
            TornadoBackend driver = drivers.get(d);
            for (int i = 0; i < driver.getNumDevices(); i++) {
                TornadoDevice device = driver.getDevice(i);
                lines.add(d + ":" + i + "  " + driver.getBackendType() + "  " + device.getDeviceName()
                        + "  (" + device.getPlatformName() + ")");
            }
        }
        return lines;
    }
}
