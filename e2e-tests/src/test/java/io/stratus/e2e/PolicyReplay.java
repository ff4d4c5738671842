package io.stratus.e2e;

import io.stratus.controlplane.autoscaling.ScalingPolicy;
import io.stratus.controlplane.autoscaling.ScalingPolicy.Decision;
import io.stratus.controlplane.autoscaling.ScalingPolicy.Sample;
import io.stratus.controlplane.autoscaling.ScalingPolicy.ScalingSettings;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Replays the per-second file a {@link SaleSpikeBenchmark} run wrote ({@code e2e-tests/target/sale-spike-seconds.csv})
 * through {@link ScalingPolicy} with other settings, and prints what those settings would have cost against the same
 * run's oracle. A what-if in a second instead of a six-minute run: how much of the gap to the oracle a window, the
 * downscale headroom or the minimum window can buy on a recorded load.
 *
 * <pre>
 * java -cp e2e-tests/target/test-classes:control-plane/target/classes io.stratus.e2e.PolicyReplay \
 *     e2e-tests/target/sale-spike-seconds.csv [--sweep] [window=60 headroom=1.15 minWindow=10 tolerance=0.1]
 * java ... io.stratus.e2e.PolicyReplay noise:0.5,0.1 --sweep     # 20 minutes of a steady load, 0.5 +- 0.1 cores
 * </pre>
 *
 * <p>{@code noise:MEAN,SD} replays a made-up steady load instead of a file: MEAN cores with normally distributed noise
 * of SD cores each second (fixed seed), against the same per-second oracle. It shows what the oracle ratio is made of
 * when nothing but noise moves: whatever does not flap pays for the noise's peaks, the oracle for each second's.
 *
 * <p>The replay is an approximation, and says where: it feeds the CPU each second used under the CU the run applied,
 * so a replayed CU below that run's CU is assumed not to change the CPU used (it would be throttled instead), and
 * throttling is replayed only in seconds where the replayed CU is at most the recorded one. The seconds where the
 * replayed CU is below the CPU used are counted as "short": each is a second a tenant would have been throttled.
 */
public final class PolicyReplay {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final BigDecimal MIN_CU = new BigDecimal("0.25");
    private static final BigDecimal MAX_CU = new BigDecimal("2");

    /** One recorded second. cpuCores and throttled are NaN when the agent reported no sample in that second. */
    record Second(int second, boolean suspended, double appliedCu, double cpuCores, double throttled, long memoryBytes,
                  double oracleCu) {
    }

    /** What a replay cost. */
    record Outcome(double replayedCuSeconds, double recordedCuSeconds, double oracleCuSeconds, int shortSeconds,
                   List<String> changes) {
        double overOracle() {
            return replayedCuSeconds / oracleCuSeconds;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: PolicyReplay <seconds.csv>|noise:MEAN,SD [--sweep] [window=S] [headroom=X] [minWindow=S] [tolerance=X]");
            System.exit(2);
        }
        List<Second> seconds = args[0].startsWith("noise:") ? noise(args[0].substring("noise:".length()))
                : read(Path.of(args[0]));
        boolean sweep = Arrays.asList(args).contains("--sweep");
        ScalingSettings d = ScalingSettings.defaults();
        int window = (int) d.downscaleWindow().toSeconds();
        double headroom = d.downscaleHeadroom();
        int minWindow = (int) d.downscaleMinWindow().toSeconds();
        double tolerance = d.upscaleTolerance();
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "window" -> window = Integer.parseInt(kv[1]);
                case "headroom" -> headroom = Double.parseDouble(kv[1]);
                case "minWindow" -> minWindow = Integer.parseInt(kv[1]);
                case "tolerance" -> tolerance = Double.parseDouble(kv[1]);
                default -> { }
            }
        }
        if (sweep) {
            System.out.println("upscale tolerance " + tolerance);
            System.out.println("window headroom minWindow   CU-s   oracle  ratio  short changes");
            for (int w : new int[] {60, 45, 30, 20, 15}) {
                for (double h : new double[] {1.15, 1.05, 1.0}) {
                    for (int m : new int[] {10, 5}) {
                        print(replay(seconds, settings(w, h, m, tolerance)), w, h, m, false);
                    }
                }
            }
            return;
        }
        print(replay(seconds, settings(window, headroom, minWindow, tolerance)), window, headroom, minWindow, true);
    }

    private static void print(Outcome o, int window, double headroom, int minWindow, boolean withChanges) {
        System.out.printf(Locale.ROOT, "%5ds %8.2f %8ds %7.1f %7.1f %6.3fx %5d %7d%n", window, headroom,
                minWindow, o.replayedCuSeconds(), o.oracleCuSeconds(), o.overOracle(), o.shortSeconds(), o.changes().size());
        if (withChanges) {
            System.out.printf(Locale.ROOT, "  recorded run: %.1f CU-s (%.3fx); changes: %s%n", o.recordedCuSeconds(),
                    o.recordedCuSeconds() / o.oracleCuSeconds(), String.join(" ", o.changes()));
        }
    }

    static ScalingSettings settings(int windowSeconds, double headroom, int minWindowSeconds, double tolerance) {
        ScalingSettings d = ScalingSettings.defaults();
        return new ScalingSettings(d.targetCpuUtilization(), d.targetMemoryFraction(), d.cuStep(), d.cpuPerCu(),
                d.memoryPerCuBytes(), Duration.ofSeconds(windowSeconds), d.throttleThreshold(), d.throttleBoost(),
                headroom, d.throttleMinUtilization(), d.throttleSettle(), Duration.ofSeconds(minWindowSeconds), tolerance);
    }

    static Outcome replay(List<Second> seconds, ScalingSettings settings) {
        ScalingPolicy policy = new ScalingPolicy(settings);
        BigDecimal current = MIN_CU;
        Instant lastChange = T0;
        List<Sample> samples = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        double replayed = 0;
        double recorded = 0;
        double oracle = 0;
        int shortSeconds = 0;
        Second previous = null;
        for (Second s : seconds) {
            oracle += s.oracleCu();
            if (s.suspended()) {
                continue; // both the run and the replay pay nothing while suspended (the idle timeout is not replayed)
            }
            recorded += s.appliedCu();
            // A second without a sample (the agent's report fell in the next one) carries the previous second's.
            double cores = Double.isNaN(s.cpuCores()) && previous != null ? previous.cpuCores() : s.cpuCores();
            double throttled = Double.isNaN(s.throttled()) && previous != null ? previous.throttled() : s.throttled();
            if (!Double.isNaN(cores)) {
                Instant now = T0.plusSeconds(s.second());
                samples.add(new Sample(now, current, cores,
                        current.doubleValue() <= s.appliedCu() ? throttled : 0, s.memoryBytes(), 1, 0));
                Decision d = policy.decide(current, MIN_CU, MAX_CU, samples, lastChange, now);
                if (d.changes()) {
                    changes.add(s.second() + ":" + current.toPlainString() + "->" + d.toCu().toPlainString());
                    current = d.toCu();
                    lastChange = now;
                }
                if (cores > current.doubleValue() * settings.cpuPerCu()) {
                    shortSeconds++;
                }
                previous = new Second(s.second(), false, s.appliedCu(), cores, throttled, s.memoryBytes(), s.oracleCu());
            }
            replayed += current.doubleValue();
        }
        return new Outcome(replayed, recorded, oracle, shortSeconds, changes);
    }

    /** 1200 seconds of a steady load of MEAN cores with normal noise of SD cores, each with its per-second oracle CU. */
    static List<Second> noise(String meanAndSd) {
        String[] f = meanAndSd.split(",");
        double mean = Double.parseDouble(f[0]);
        double sd = Double.parseDouble(f[1]);
        ScalingSettings d = ScalingSettings.defaults();
        double step = d.cuStep().doubleValue();
        Random random = new Random(42);
        List<Second> out = new ArrayList<>();
        for (int t = 0; t < 1200; t++) {
            double cores = Math.max(0, mean + random.nextGaussian() * sd);
            double need = cores / d.cpuPerCu() / d.targetCpuUtilization();
            double oracle = Math.min(MAX_CU.doubleValue(), Math.max(MIN_CU.doubleValue(), Math.ceil(need / step) * step));
            out.add(new Second(t, false, MAX_CU.doubleValue(), cores, 0, 64L << 20, oracle));
        }
        return out;
    }

    static List<Second> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> header = Arrays.asList(lines.get(0).split(","));
        int second = header.indexOf("second");
        int state = header.indexOf("state");
        int applied = header.indexOf("appliedCu");
        int cpu = header.indexOf("cpuCores");
        int throttled = header.indexOf("throttledFraction");
        int memory = header.indexOf("memoryBytes");
        int oracle = header.indexOf("oracleCu");
        List<Second> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            out.add(new Second(Integer.parseInt(f[second]), "SUSPENDED".equals(f[state]), Double.parseDouble(f[applied]),
                    Double.parseDouble(f[cpu]), Double.parseDouble(f[throttled]),
                    f[memory].equals("NaN") ? 0 : (long) Double.parseDouble(f[memory]), Double.parseDouble(f[oracle])));
        }
        return out;
    }

    private PolicyReplay() {
    }
}
