package io.stratus.controlplane.console;

import io.stratus.controlplane.metering.UsageQueries;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** A usage series as the console's bar charts draw it (a JSON data attribute read by console.js). */
final class UsageChart {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MM-dd").withZone(ZoneOffset.UTC);

    private UsageChart() {
    }

    /** Daily CU-hours and requests: labels are UTC days. */
    static Map<String, Object> daily(List<UsageQueries.Bucket> days) {
        return Map.of(
                "labels", days.stream().map(d -> DAY.format(d.start())).toList(),
                "datasets", List.of(
                        Map.of("label", "CU-hours", "yAxisID", "y",
                                "data", days.stream().map(d -> TenantPages.cuHours(d.cuSeconds())).toList()),
                        Map.of("label", "requests", "yAxisID", "y1",
                                "data", days.stream().map(UsageQueries.Bucket::requests).toList())));
    }
}
