package io.stratus.e2e;

import io.stratus.testing.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads, in the middle of every trace second, the CU a database really has: the CPU quota the agent wrote to its
 * cgroup v1 (the truth on the host) and the state the API shows (a suspended compute costs nothing, whatever its
 * cgroup still says). Mid-second so that a change reacting to the second's start is mostly counted where it happened.
 */
final class SaleSpikePoller extends Thread {

    private static final Path CPU_CGROUPS = Path.of("/sys/fs/cgroup/cpu/stratus");

    private final ApiClient api;
    private final String key;
    private final String db;
    private final Instant start;
    private final int seconds;
    private final List<Reading> readings = new ArrayList<>();
    private volatile Exception failure;

    /**
     * One second's reading.
     *
     * @param quotaCu CPU quota over period from the cgroup, NaN where unreadable (no cgroup v1, or no limit)
     */
    record Reading(int second, String state, double apiCu, double quotaCu) {

        boolean suspended() {
            return "SUSPENDED".equals(state);
        }

        /** The CU paid for in this second: 0 suspended, else what the host enforces, else what the API says. */
        double appliedCu() {
            if (suspended()) {
                return 0;
            }
            return Double.isNaN(quotaCu) ? apiCu : quotaCu;
        }
    }

    SaleSpikePoller(ApiClient api, String key, String db, Instant start, int seconds) {
        super("sale-spike-poller");
        setDaemon(true);
        this.api = api;
        this.key = key;
        this.db = db;
        this.start = start;
        this.seconds = seconds;
    }

    @Override
    public void run() {
        try {
            for (int s = 0; s < seconds; s++) {
                long wait = Duration.between(Instant.now(), start.plusMillis(s * 1000L + 500)).toMillis();
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                var view = api.get(key, "/v1/databases/" + db).json();
                double quota = cgroupCu();
                synchronized (readings) {
                    readings.add(new Reading(s, view.get("state").asString(), view.get("currentCu").asDouble(), quota));
                }
            }
        } catch (Exception e) {
            failure = e;
        }
    }

    /** Waits for the last second's reading and returns them all. */
    List<Reading> finish() throws Exception {
        join(Duration.ofSeconds(30).toMillis());
        if (failure != null) {
            throw failure;
        }
        synchronized (readings) {
            return List.copyOf(readings);
        }
    }

    private double cgroupCu() {
        try {
            Path dir = CPU_CGROUPS.resolve(db);
            long quota = Long.parseLong(Files.readString(dir.resolve("cpu.cfs_quota_us")).trim());
            long period = Long.parseLong(Files.readString(dir.resolve("cpu.cfs_period_us")).trim());
            return quota > 0 && period > 0 ? (double) quota / period : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }
}
