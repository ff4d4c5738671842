package io.stratus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.autoscaling.ScalingPolicy;
import io.stratus.testing.ApiClient;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The sale-spike trace (quiet, a 10x spike, quiet, idle) replayed against one real database on the real control plane
 * and agent, with the cost of what Stratus applied set against an oracle that knows the load and against static
 * provisioning at the peak. Reports, never gates: see docs/benchmarks.md for the definitions and the figures.
 *
 * <p>Settings (system properties): {@code bench.trace} (file or classpath resource, default
 * {@code traces/sale-spike.csv}), {@code bench.suspendTimeout} (seconds, default 30), {@code bench.downscaleWindow}
 * (e.g. {@code 15s}), {@code bench.downscaleMinWindow} (e.g. {@code 5s}) and {@code bench.downscaleHeadroom} (e.g.
 * {@code 1.0}) and {@code bench.upscaleTolerance} (e.g. {@code 0}); unset, the control plane's own defaults.
 */
class SaleSpikeBenchmark {

    private static final String TRACE = System.getProperty("bench.trace", "traces/sale-spike.csv");
    private static final int SUSPEND_TIMEOUT = Integer.getInteger("bench.suspendTimeout", 30);
    private static final String DOWNSCALE_WINDOW = System.getProperty("bench.downscaleWindow", "");
    private static final String DOWNSCALE_MIN_WINDOW = System.getProperty("bench.downscaleMinWindow", "");
    private static final String DOWNSCALE_HEADROOM = System.getProperty("bench.downscaleHeadroom", "");
    private static final String UPSCALE_TOLERANCE = System.getProperty("bench.upscaleTolerance", "");
    /**
     * Execution time of one request, in ms: the unit of work is sized to it on the compute before the trace starts
     * ({@link TraceReplay#calibrate}), so the trace offers the same CPU load on a fast machine as on a slow one. 0: the
     * unsized 20000-row unit.
     */
    private static final double CPU_MS_PER_REQUEST = Double.parseDouble(System.getProperty("bench.cpuMsPerRequest", "5"));
    private static final double MIN_CU = 0.25;
    private static final double MAX_CU = 2;

    @Test
    void saleSpikeCostAgainstOracleAndStaticPeak() throws Exception {
        TraceReplay.Trace trace = TraceReplay.Trace.load(TRACE);
        int duration = trace.durationSeconds();
        // The oracle aims where the policy aims: its defaults are the control plane's (AutoscalingSettings' @DefaultValue
        // mirror them); this run changes at most when the policy moves (window, headroom, tolerance), which the oracle has no use for.
        ScalingPolicy.ScalingSettings policy = ScalingPolicy.ScalingSettings.defaults();
        // What this run was set to, for the report's first line.
        String setup = "downscale window "
                + (DOWNSCALE_WINDOW.isEmpty() ? policy.downscaleWindow().toSeconds() + "s (default)" : DOWNSCALE_WINDOW)
                + " (at least " + (DOWNSCALE_MIN_WINDOW.isEmpty() ? policy.downscaleMinWindow().toSeconds() + "s, default"
                : DOWNSCALE_MIN_WINDOW) + "), headroom " + (DOWNSCALE_HEADROOM.isEmpty()
                ? policy.downscaleHeadroom() + " (default)" : DOWNSCALE_HEADROOM) + ", upscale tolerance "
                + (UPSCALE_TOLERANCE.isEmpty() ? policy.upscaleTolerance() + " (default)" : UPSCALE_TOLERANCE);

        TraceReplay.Result replay;
        List<SaleSpikePoller.Reading> readings;
        List<JsonNode> metrics;
        JsonNode events;
        Instant start;
        try (StratusProcesses stratus = new StratusProcesses()) {
            if (!DOWNSCALE_WINDOW.isEmpty()) {
                stratus.withControlPlaneEnv("STRATUS_AUTOSCALING_DOWNSCALE_WINDOW", DOWNSCALE_WINDOW);
            }
            if (!DOWNSCALE_MIN_WINDOW.isEmpty()) {
                stratus.withControlPlaneEnv("STRATUS_AUTOSCALING_DOWNSCALE_MIN_WINDOW", DOWNSCALE_MIN_WINDOW);
            }
            if (!DOWNSCALE_HEADROOM.isEmpty()) {
                stratus.withControlPlaneEnv("STRATUS_AUTOSCALING_DOWNSCALE_HEADROOM", DOWNSCALE_HEADROOM);
            }
            if (!UPSCALE_TOLERANCE.isEmpty()) {
                stratus.withControlPlaneEnv("STRATUS_AUTOSCALING_UPSCALE_TOLERANCE", UPSCALE_TOLERANCE);
            }
            stratus.start();
            ApiClient api = stratus.api();
            E2e.Tenant tenant = E2e.newTenant(api);
            var r = api.post(tenant.adminKey(), "/v1/databases", ApiClient.json("name", "sale_spike", "minCu", MIN_CU,
                    "maxCu", MAX_CU, "suspendTimeoutSeconds", SUSPEND_TIMEOUT));
            assertThat(r.status()).as(r.raw()).isEqualTo(202);
            String db = r.at("/database/id").asString();
            String uri = r.at("/connection/uri").asString();
            assertThat(E2e.awaitOperation(api, tenant, r.at("/operation/id").asString(), Duration.ofSeconds(120)))
                    .isEqualTo("SUCCEEDED");
            warmUp(uri);
            String query = TraceReplay.DEFAULT_QUERY;
            if (CPU_MS_PER_REQUEST > 0) {
                TraceReplay.Calibration cal = TraceReplay.calibrate(uri, CPU_MS_PER_REQUEST);
                query = cal.query();
                setup += String.format(Locale.ROOT, "; unit of work generate_series(1, %d) for %.1f ms (20000 rows took %.2f ms)",
                        cal.rows(), CPU_MS_PER_REQUEST, cal.defaultUnitMs());
            }

            // Whole seconds, a moment ahead: the replay and the poller share second 0.
            start = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
            SaleSpikePoller poller = new SaleSpikePoller(api, tenant.adminKey(), db, start, duration);
            poller.start();
            replay = new TraceReplay(trace, uri, query).run(start);
            readings = poller.finish();
            metrics = new ArrayList<>();
            api.get(tenant.adminKey(), "/v1/databases/" + db + "/metrics?from=" + start + "&to="
                    + start.plusSeconds(duration + 5)).json().forEach(metrics::add);
            events = api.get(tenant.adminKey(), "/v1/databases/" + db + "/scaling-events").json();
        }

        List<SaleSpikeAccounting.Observed> observed = observe(trace, replay, readings, metrics, start);
        long loadedWithSample = observed.stream().filter(o -> o.loaded() && !Double.isNaN(o.cpuCores())).count();
        long loaded = observed.stream().filter(SaleSpikeAccounting.Observed::loaded).count();
        assertThat(replay.total(TraceReplay.Second::completed)).as("requests completed").isPositive();
        assertThat(loadedWithSample).as("loaded seconds with an agent sample, of %d", loaded).isGreaterThan(loaded * 3 / 4);
        assertThat(readings).as("host readings").hasSize(duration);

        SaleSpikeAccounting.Rules rules = new SaleSpikeAccounting.Rules(MIN_CU, MAX_CU, policy.cuStep().doubleValue(),
                policy.cpuPerCu(), policy.targetCpuUtilization(), policy.memoryPerCuBytes(), policy.targetMemoryFraction(),
                policy.throttleThreshold(), SUSPEND_TIMEOUT);
        SaleSpikeAccounting.Figures f = SaleSpikeAccounting.compute(observed, rules);
        Path csv = Path.of("target", "sale-spike-seconds.csv");
        writeSeconds(csv, observed, readings, replay, f);
        printEvents(events, start, duration);
        String report = report(trace, setup, observed, readings, replay, f, rules.throttleThreshold());
        System.out.print(report);
        Files.writeString(Path.of("target", "bench-results.txt"), report, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Makes the compute see a client, so its suspend timeout (counted from creation) does not run out before second 0.
     * Only {@code SELECT 1}: running the unit of work here on a cold 0.25 CU compute got it throttled and scaled up
     * before the trace began, which is the harness's load, not the trace's.
     */
    private static void warmUp(String uri) throws Exception {
        try (Connection c = E2e.connect(uri); Statement st = c.createStatement()) {
            st.executeQuery("SELECT 1").close();
            Thread.sleep(2000);
        }
    }

    /** Joins the replay's, the host's and the agent's views of each trace second. */
    private static List<SaleSpikeAccounting.Observed> observe(TraceReplay.Trace trace, TraceReplay.Result replay,
                                                            List<SaleSpikePoller.Reading> readings, List<JsonNode> metrics,
                                                            Instant start) {
        int duration = trace.durationSeconds();
        double[] cpu = new double[duration];
        double[] throttled = new double[duration];
        long[] memory = new long[duration];
        int[] count = new int[duration];
        for (JsonNode p : metrics) {
            // A sample covers the second before its timestamp.
            double since = Duration.between(start, instant(p.get("at"))).toMillis() / 1000.0;
            int s = (int) Math.ceil(since) - 1;
            if (s < 0 || s >= duration) {
                continue;
            }
            cpu[s] += p.get("cpuCores").asDouble();
            throttled[s] += p.get("throttledFraction").asDouble();
            memory[s] = Math.max(memory[s], p.get("memoryBytes").asLong());
            count[s]++;
        }
        List<SaleSpikeAccounting.Observed> out = new ArrayList<>();
        for (int s = 0; s < duration; s++) {
            TraceReplay.Second r = replay.seconds().get(s);
            out.add(new SaleSpikeAccounting.Observed(s, trace.at(s).clients() > 0, readings.get(s).appliedCu(),
                    count[s] == 0 ? Double.NaN : cpu[s] / count[s], count[s] == 0 ? Double.NaN : throttled[s] / count[s],
                    memory[s], r.offered(), r.completed()));
        }
        return out;
    }

    private static Instant instant(JsonNode n) {
        if (n.isNumber()) {
            // Seconds since the epoch with a fraction, when a serializer writes instants as numbers.
            BigDecimal v = n.decimalValue();
            return Instant.ofEpochSecond(v.longValue(), v.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        }
        return Instant.parse(n.asString());
    }

    private static String report(TraceReplay.Trace trace, String setup, List<SaleSpikeAccounting.Observed> observed,
                                 List<SaleSpikePoller.Reading> readings, TraceReplay.Result replay,
                                 SaleSpikeAccounting.Figures f, double threshold) {
        double loadedStratus = 0;
        double loadedOracle = 0;
        for (int s = 0; s < observed.size(); s++) {
            if (observed.get(s).loaded()) {
                loadedStratus += observed.get(s).appliedCu();
                loadedOracle += f.oracleCu()[s];
            }
        }
        int suspendedAt = -1;
        for (SaleSpikePoller.Reading r : readings) {
            if (r.suspended()) {
                suspendedAt = r.second();
                break;
            }
        }
        int lastLoaded = observed.stream().filter(SaleSpikeAccounting.Observed::loaded)
                .mapToInt(SaleSpikeAccounting.Observed::second).max().orElse(-1);
        double peakRate = trace.steps().stream().mapToDouble(TraceReplay.Step::rate).max().orElse(0);
        int[] peak = peakSpan(trace, peakRate);
        return String.format(Locale.ROOT,
                "sale-spike trace: %s, %d s, minCu %.2f maxCu %.0f, %s, suspend timeout %d s%n"
                        + "  CU-hours: Stratus %.4f (%.0f CU-s), oracle %.4f (%.0f CU-s) -> %.2fx oracle (target <= 1.15)%n"
                        + "    loaded part: Stratus %.0f CU-s vs oracle %.0f; after the last client: Stratus %.0f vs oracle %.0f;"
                        + " suspended %s; oracle suspending at once: %.0f CU-s%n"
                        + "  throttled: %.1f %% of %d loaded seconds above throttledFraction %.2f (%d s), mean throttledFraction %.3f"
                        + " (target <= 1 %%)%n"
                        + "  static at peak: %.2f CU x %d s = %.0f CU-s -> %.2fx Stratus (target >= 3x); oracle %.2fx cheaper than static%n"
                        + "  requests: offered %d, completed %d, dropped %d, errors %d; latency p50 %.1f ms p99 %.1f ms,"
                        + " spike [%d,%d) s p99 %.1f ms; CPU per request %.2f ms%n",
                trace.name(), trace.durationSeconds(), MIN_CU, MAX_CU, setup, SUSPEND_TIMEOUT,
                f.stratusCuSeconds() / 3600, f.stratusCuSeconds(), f.oracleCuSeconds() / 3600, f.oracleCuSeconds(), f.overOracle(),
                loadedStratus, loadedOracle, f.stratusCuSeconds() - loadedStratus, f.oracleCuSeconds() - loadedOracle,
                suspendedAt < 0 ? "never" : "at " + suspendedAt + " s (" + (suspendedAt - lastLoaded - 1) + " s after the last client)",
                f.oracleInstantSuspendCuSeconds(),
                f.throttledShare() * 100, f.loadedSeconds(), threshold,
                f.throttledSeconds(), f.meanThrottledFraction(),
                f.peakOracleCu(), trace.durationSeconds(), f.staticAtPeakCuSeconds(), f.staticOverStratus(),
                f.staticAtPeakCuSeconds() / f.oracleCuSeconds(),
                replay.total(TraceReplay.Second::offered), replay.total(TraceReplay.Second::completed),
                replay.total(TraceReplay.Second::dropped), replay.total(TraceReplay.Second::errors),
                replay.percentileMs(0, trace.durationSeconds(), 50), replay.percentileMs(0, trace.durationSeconds(), 99),
                peak[0], peak[1], replay.percentileMs(peak[0], peak[1], 99), f.cpuPerRequest() * 1000);
    }

    /** The seconds at the trace's peak rate: [first, end). */
    private static int[] peakSpan(TraceReplay.Trace trace, double peakRate) {
        int from = -1;
        int to = -1;
        for (int s = 0; s < trace.durationSeconds(); s++) {
            if (trace.at(s).rate() == peakRate) {
                from = from < 0 ? s : from;
                to = s + 1;
            }
        }
        return new int[] {from, to};
    }

    private static void printEvents(JsonNode events, Instant start, int duration) {
        for (JsonNode e : events) {
            long at = Duration.between(start, instant(e.get("at"))).toMillis();
            // Events before second 0 too (from the database's creation): they set the CU the trace starts at.
            if (at <= duration * 1000L) {
                System.out.printf(Locale.ROOT, "  event %6.1f s  %s -> %s CU  %s%n", at / 1000.0, e.get("fromCu").asString(),
                        e.get("toCu").asString(), e.get("reason").asString());
            }
        }
    }

    private static void writeSeconds(Path csv, List<SaleSpikeAccounting.Observed> observed,
                                     List<SaleSpikePoller.Reading> readings, TraceReplay.Result replay,
                                     SaleSpikeAccounting.Figures f) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("second,clients,offered,completed,dropped,p99Ms,state,apiCu,quotaCu,appliedCu,cpuCores,throttledFraction,"
                + "memoryBytes,oracleCu");
        for (int s = 0; s < observed.size(); s++) {
            SaleSpikeAccounting.Observed o = observed.get(s);
            SaleSpikePoller.Reading r = readings.get(s);
            TraceReplay.Second t = replay.seconds().get(s);
            lines.add(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%.1f,%s,%.2f,%.2f,%.2f,%.3f,%.3f,%d,%.2f", s, t.clients(),
                    t.offered(), t.completed(), t.dropped(), t.p99Ms(), r.state(), r.apiCu(), r.quotaCu(), r.appliedCu(),
                    o.cpuCores(), o.throttledFraction(), o.memoryBytes(), f.oracleCu()[s]));
        }
        Files.write(csv, lines);
    }
}
