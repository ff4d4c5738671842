package io.stratus.controlplane.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import org.junit.jupiter.api.Test;

class PrometheusEndpointTests extends ControlPlaneTest {

    @Test
    void servesTheControlPlanesMetricsForAPrometheusScrape() {
        var r = api().get(null, "/actuator/prometheus");

        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        assertThat(r.raw()).contains("stratus_usage_rejected_total").contains("jvm_memory_used_bytes");
    }
}
