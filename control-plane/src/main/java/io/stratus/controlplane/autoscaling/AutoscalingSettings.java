package io.stratus.controlplane.autoscaling;

import java.math.BigDecimal;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Autoscaling settings, {@code stratus.autoscaling.*}.
 *
 * @param enabled              off: CU stays where the API put it; idle suspend still applies
 * @param targetCpuUtilization CPU used / allowed the policy aims for
 * @param targetMemoryFraction memory working set / limit the policy aims for
 * @param cpuPerCu             vCPUs in one CU (the agents' setting must match)
 * @param memoryPerCu          memory in one CU
 * @param downscaleWindow      need must stay low this long before CU comes down one step; a deeper drop to T waits
 *                             {@code downscaleWindow × T / current}, unless the need above T went away and came back
 *                             within the window (then the whole window)
 * @param downscaleMinWindow   the shortest wait before a drop, however deep
 * @param throttleThreshold    throttled share of an interval above which CPU demand is assumed hidden
 * @param throttleBoost        factor on the allowed CPU assumed wanted when throttled throughout an interval; a compute
 *                             throttled part of it is assumed to want that share of the extra
 * @param downscaleHeadroom    factor on the window's peak need kept when scaling down
 * @param throttleMinUtilization share of its allowance a throttled compute must use for throttling to count as
 *                             hidden demand (below it, throttling is a burst caught by the CFS period)
 * @param throttleSettle       throttling in samples this soon after a CU change is not attributed to the new CU
 * @param sampleRetention      how long per-second samples are kept for charts
 * @param upscaleTolerance     a CPU need above the CU held by at most this fraction of it is not scaled up for
 *                             (Kubernetes HPA's tolerance); memory needs and throttling are acted on at once
 */
@ConfigurationProperties("stratus.autoscaling")
public record AutoscalingSettings(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("0.7") double targetCpuUtilization,
        @DefaultValue("0.75") double targetMemoryFraction,
        @DefaultValue("1") double cpuPerCu,
        @DefaultValue("4GB") DataSize memoryPerCu,
        @DefaultValue("60s") Duration downscaleWindow,
        @DefaultValue("0.05") double throttleThreshold,
        @DefaultValue("2.0") double throttleBoost,
        @DefaultValue("1.15") double downscaleHeadroom,
        @DefaultValue("0.5") double throttleMinUtilization,
        @DefaultValue("2s") Duration throttleSettle,
        @DefaultValue("24h") Duration sampleRetention,
        @DefaultValue("10s") Duration downscaleMinWindow,
        @DefaultValue("0.1") double upscaleTolerance) {

    ScalingPolicy.ScalingSettings policy(BigDecimal cuStep) {
        return new ScalingPolicy.ScalingSettings(targetCpuUtilization, targetMemoryFraction, cuStep, cpuPerCu,
                memoryPerCu.toBytes(), downscaleWindow, throttleThreshold, throttleBoost, downscaleHeadroom,
                throttleMinUtilization, throttleSettle, downscaleMinWindow, upscaleTolerance);
    }
}
