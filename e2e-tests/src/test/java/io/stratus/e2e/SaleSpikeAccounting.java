package io.stratus.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * The sale-spike figures from per-second observations: CU-seconds Stratus applied, CU-seconds an oracle that knows
 * the load would have needed, the throttled share and static provisioning at the oracle's peak. Pure, so the
 * arithmetic is tested on its own ({@code SaleSpikeAccountingTests}); see docs/benchmarks.md for the definitions.
 */
final class SaleSpikeAccounting {

    private SaleSpikeAccounting() {
    }

    /**
     * One trace second.
     *
     * @param loaded            the trace had client connections open in this second
     * @param appliedCu         CU enforced on the host in this second (0 while suspended)
     * @param cpuCores          CPU the compute used in this second, from the agent's samples (NaN: no sample)
     * @param throttledFraction the compute's throttled fraction in this second (NaN: no sample)
     * @param memoryBytes       memory working set (0: no sample)
     * @param offered           requests the trace offered (due) in this second
     * @param completed         requests that completed in this second
     */
    record Observed(int second, boolean loaded, double appliedCu, double cpuCores, double throttledFraction,
                    long memoryBytes, int offered, int completed) {
    }

    /**
     * What the oracle and the policy share: the policy's targets and steps (its defaults unless the run changed them),
     * the database's CU range and its suspend timeout.
     */
    record Rules(double minCu, double maxCu, double cuStep, double cpuPerCu, double targetCpuUtilization,
                 long memoryPerCuBytes, double targetMemoryFraction, double throttleThreshold, int suspendTimeoutSeconds) {
    }

    /**
     * The results.
     *
     * @param oracleCu                  the oracle's CU per second
     * @param oracleInstantSuspendCuSeconds the same oracle suspending the moment the last connection closes
     * @param cpuPerRequest             CPU-seconds per completed request over the loaded, unthrottled seconds: how
     *                                  the oracle prices a throttled second's offered load
     */
    record Figures(double stratusCuSeconds, double oracleCuSeconds, double oracleInstantSuspendCuSeconds,
                   double peakOracleCu, double staticAtPeakCuSeconds, int loadedSeconds, int throttledSeconds,
                   double meanThrottledFraction, double cpuPerRequest, double[] oracleCu) {

        double overOracle() {
            return stratusCuSeconds / oracleCuSeconds;
        }

        double throttledShare() {
            return loadedSeconds == 0 ? 0 : (double) throttledSeconds / loadedSeconds;
        }

        double staticOverStratus() {
            return staticAtPeakCuSeconds / stratusCuSeconds;
        }
    }

    static Figures compute(List<Observed> seconds, Rules rules) {
        List<Observed> filled = fillGaps(seconds);
        double cpuPerRequest = cpuPerRequest(filled, rules);
        double[] oracle = new double[filled.size()];
        double stratus = 0;
        double oracleSum = 0;
        double oracleInstant = 0;
        double peak = 0;
        int loaded = 0;
        int throttled = 0;
        double throttledSum = 0;
        int lastLoaded = -1;
        for (int i = 0; i < filled.size(); i++) {
            Observed o = filled.get(i);
            stratus += o.appliedCu();
            if (o.loaded()) {
                lastLoaded = o.second();
                oracle[i] = clamp(roundUp(need(o, cpuPerRequest, rules), rules.cuStep()), rules.minCu(), rules.maxCu());
                oracleInstant += oracle[i];
                loaded++;
                if (!Double.isNaN(o.throttledFraction())) {
                    throttledSum += o.throttledFraction();
                    if (o.throttledFraction() > rules.throttleThreshold()) {
                        throttled++;
                    }
                }
            } else if (lastLoaded >= 0 && o.second() - lastLoaded <= rules.suspendTimeoutSeconds()) {
                // No connection, but the suspend timeout has not run out: the oracle waits like the platform does.
                oracle[i] = rules.minCu();
            }
            oracleSum += oracle[i];
            peak = Math.max(peak, oracle[i]);
        }
        return new Figures(stratus, oracleSum, oracleInstant, peak, peak * filled.size(), loaded, throttled,
                loaded == 0 ? 0 : throttledSum / loaded, cpuPerRequest, oracle);
    }

    /**
     * Need in CU, as the policy computes it but from the real demand: CPU used over target utilisation, or memory
     * over its target fraction. A throttled second's CPU is capped by the limit and hides demand, so there the offered
     * requests priced at {@code cpuPerRequest} count when higher.
     */
    static double need(Observed o, double cpuPerRequest, Rules rules) {
        // No sample at all near this second (the run checks that is rare): no evidence of need beyond the minimum.
        double cores = Double.isNaN(o.cpuCores()) ? 0 : o.cpuCores();
        if (o.throttledFraction() > rules.throttleThreshold()) {
            cores = Math.max(cores, o.offered() * cpuPerRequest);
        }
        double cpuCu = cores / rules.cpuPerCu() / rules.targetCpuUtilization();
        double memCu = (double) o.memoryBytes() / rules.memoryPerCuBytes() / rules.targetMemoryFraction();
        return Math.max(cpuCu, memCu);
    }

    private static double cpuPerRequest(List<Observed> seconds, Rules rules) {
        double cpu = 0;
        long requests = 0;
        for (Observed o : seconds) {
            if (o.loaded() && o.throttledFraction() <= rules.throttleThreshold()) {
                cpu += o.cpuCores();
                requests += o.completed();
            }
        }
        return requests == 0 ? 0 : cpu / requests;
    }

    /**
     * A loaded second the agent sent no sample for (samples come about once a second, not exactly) takes the nearest
     * earlier sample, else the next one: the load does not vanish between two samples.
     */
    static List<Observed> fillGaps(List<Observed> seconds) {
        List<Observed> out = new ArrayList<>(seconds);
        for (int pass = 0; pass < 2; pass++) {
            Observed lastSeen = null;
            for (int k = 0; k < out.size(); k++) {
                int i = pass == 0 ? k : out.size() - 1 - k;
                Observed o = out.get(i);
                if (!Double.isNaN(o.cpuCores())) {
                    lastSeen = o;
                } else if (o.loaded() && lastSeen != null) {
                    out.set(i, new Observed(o.second(), true, o.appliedCu(), lastSeen.cpuCores(),
                            lastSeen.throttledFraction(), lastSeen.memoryBytes(), o.offered(), o.completed()));
                }
            }
        }
        return out;
    }

    /** Up to the next step, and at least one step, as the policy rounds. */
    static double roundUp(double cu, double step) {
        // The epsilon keeps 0.5000000001 (floating point noise) from costing a whole extra step.
        return Math.max(step, Math.ceil(cu / step - 1e-9) * step);
    }

    private static double clamp(double cu, double min, double max) {
        return Math.min(max, Math.max(min, cu));
    }
}
