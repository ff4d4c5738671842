package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Reaction time: from the start of a load step to the new CU applied on the host (the compute's cgroup CPU quota
 * changed), over repeated steps. Run with {@code ./mvnw -Pbench verify}.
 */
class AutoscalingBenchmark {

    private static final int STEPS = Integer.getInteger("bench.steps", 10);

    @Test
    void reactionTimeFromLoadStepToCgroupChange() throws Exception {
        List<Double> reactions = new ArrayList<>();
        try (StratusProcesses stratus = new StratusProcesses()
                .withControlPlaneEnv("STRATUS_AUTOSCALING_DOWNSCALE_WINDOW", "5s")) {
            stratus.start();
            var api = stratus.api();
            var tenant = E2e.newTenant(api);
            var r = api.post(tenant.adminKey(), "/v1/databases", "{\"name\":\"reactive\",\"minCu\":0.25,\"maxCu\":2,\"suspendTimeoutSeconds\":0}");
            String db = r.at("/database/id").asString();
            String uri = r.at("/connection/uri").asString();
            E2e.awaitOperation(api, tenant, r.at("/operation/id").asString(), Duration.ofSeconds(90));
            Path quota = Path.of("/sys/fs/cgroup/cpu/stratus", db, "cpu.cfs_quota_us");
            assertThat(quota).as("this benchmark reads the cgroup v1 quota the agent writes").exists();
            for (int step = 0; step < STEPS; step++) {
                waitFor(() -> read(quota) == 25_000, Duration.ofSeconds(60));
                Thread.sleep(1500);
                AtomicBoolean on = new AtomicBoolean(true);
                ExecutorService load = Executors.newFixedThreadPool(2);
                List<Connection> conns = List.of(E2e.connect(uri), E2e.connect(uri));
                long t0 = System.nanoTime();
                for (Connection c : conns) {
                    load.submit(() -> {
                        try (Statement st = c.createStatement()) {
                            while (on.get()) {
                                st.executeQuery("SELECT count(*) FROM generate_series(1, 2000000)").close();
                            }
                        }
                        return null;
                    });
                }
                waitFor(() -> read(quota) > 25_000, Duration.ofSeconds(30));
                reactions.add((System.nanoTime() - t0) / 1e6);
                on.set(false);
                load.shutdown();
                load.awaitTermination(30, TimeUnit.SECONDS);
                for (Connection c : conns) {
                    c.close();
                }
            }
        }
        Collections.sort(reactions);
        String report = String.format("autoscaling reaction: load step -> cgroup quota raised, %d steps%n"
                        + "  p50 %7.0f ms  p99 %7.0f ms  (min %.0f, max %.0f)%n",
                reactions.size(), pct(reactions, 50), pct(reactions, 99), reactions.get(0), reactions.get(reactions.size() - 1));
        System.out.print(report);
        Files.writeString(Path.of("target", "bench-results.txt"), report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static long read(Path p) {
        try {
            return Long.parseLong(Files.readString(p).trim());
        } catch (Exception e) {
            return -2;
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier cond, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + max);
            }
            Thread.sleep(10);
        }
    }

    private static double pct(List<Double> sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(idx, sorted.size() - 1)));
    }
}
