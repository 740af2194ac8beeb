package org.rlcasino.tornado;

import java.util.ArrayList;
import java.util.List;

import org.rlcasino.tasks.Backend;
import org.rlcasino.tasks.BackendProvider;
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
            return new org.rlcasino.tornado.TornadoBackend(-1, 0);
        }
        String[] parts = device.split(":");
        int driver = Integer.parseInt(parts[0]);
        int index = Integer.parseInt(parts[1]);
        List<TornadoBackend> drivers = TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends();
        if (driver >= drivers.size() || index >= drivers.get(driver).getNumDevices()) {
            throw new IllegalArgumentException("no TornadoVM device " + device + "; 'casino devices' lists them:\n  "
                    + String.join("\n  ", devices()));
        }
        return new org.rlcasino.tornado.TornadoBackend(driver, index);
    }

    @Override
    public List<String> devices() {
        List<String> lines = new ArrayList<>();
        List<TornadoBackend> drivers = TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends();
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
