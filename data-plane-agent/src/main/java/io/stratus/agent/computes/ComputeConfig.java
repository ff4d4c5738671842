package io.stratus.agent.computes;

import io.stratus.agent.ComputeConventions;
import io.stratus.protocol.ComputeSpec;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Postgres settings and pg_hba.conf a compute should have, computed from its spec alone.
 *
 * <p>Settings that need a restart are sized from the compute's CU range (they cannot follow the CU as it scales);
 * the rest follow the CU granted now and change on a reload.
 */
record ComputeConfig(Map<String, String> settings, String hba) {

    /** Postmaster-context settings: changing one on a running compute needs a restart. */
    static final Set<String> RESTART_ONLY = Set.of("port", "listen_addresses", "unix_socket_directories",
            "unix_socket_permissions", "shared_buffers", "max_connections", "shared_preload_libraries");

    static final String STAT_STATEMENTS = "pg_stat_statements";

    // Sizing, per CU (1 CU = 1 vCPU + 4 GiB).
    private static final int BASE_CONNECTIONS = 50;
    private static final int CONNECTIONS_PER_CU = 50;
    private static final int SHARED_BUFFERS_MB_PER_CU = 32;
    private static final int SHARED_BUFFERS_MIN_MB = 16;
    private static final int WORK_MEM_MB_PER_CU = 4;
    private static final int WORK_MEM_MIN_MB = 1;
    private static final int MAINTENANCE_WORK_MEM_MB_PER_CU = 64;
    private static final int MAINTENANCE_WORK_MEM_MIN_MB = 16;
    private static final int EFFECTIVE_CACHE_MB_PER_CU = 3072;
    private static final int EFFECTIVE_CACHE_MIN_MB = 128;
    private static final int MAX_PARALLEL_WORKERS_PER_GATHER = 4;

    /**
     * @param listenAddress  where the compute accepts TCP connections
     * @param socketDir      its Unix socket directory (0700, the agent's only way in as superuser)
     * @param statStatements whether the release ships pg_stat_statements (preloading a missing library stops startup)
     */
    static ComputeConfig of(ComputeSpec spec, String listenAddress, Path socketDir, boolean statStatements) {
        // A suspended compute may be sent cu = 0 and a scale-to-zero range may start at 0: size for what it gets
        // when it runs, never for zero.
        BigDecimal maxCu = positiveOr(spec.maxCu(), positiveOr(spec.minCu(), BigDecimal.ONE));
        BigDecimal cu = positiveOr(spec.cu(), positiveOr(spec.minCu(), maxCu)).min(maxCu);
        Map<String, String> s = new LinkedHashMap<>();
        s.put("port", String.valueOf(spec.port()));
        s.put("listen_addresses", listenAddress);
        s.put("unix_socket_directories", socketDir.toString());
        s.put("unix_socket_permissions", "0700");
        s.put("max_connections", String.valueOf(maxConnections(maxCu)));
        s.put("shared_buffers", megabytes(scaled(maxCu, SHARED_BUFFERS_MB_PER_CU, SHARED_BUFFERS_MIN_MB)));
        if (statStatements) {
            s.put("shared_preload_libraries", STAT_STATEMENTS);
        }
        s.put("work_mem", megabytes(scaled(cu, WORK_MEM_MB_PER_CU, WORK_MEM_MIN_MB)));
        s.put("maintenance_work_mem", megabytes(scaled(cu, MAINTENANCE_WORK_MEM_MB_PER_CU, MAINTENANCE_WORK_MEM_MIN_MB)));
        s.put("effective_cache_size", megabytes(scaled(cu, EFFECTIVE_CACHE_MB_PER_CU, EFFECTIVE_CACHE_MIN_MB)));
        s.put("max_parallel_workers_per_gather", String.valueOf(parallelWorkersPerGather(cu)));
        s.put("password_encryption", "scram-sha-256");
        s.put("timezone", "UTC");
        s.put("log_timezone", "UTC");
        s.put("log_line_prefix", "%m [%p] %q%u@%d ");
        return new ComputeConfig(Map.copyOf(s), hba(spec));
    }

    static int maxConnections(BigDecimal maxCu) {
        return BASE_CONNECTIONS + maxCu.multiply(BigDecimal.valueOf(CONNECTIONS_PER_CU)).intValue();
    }

    static int parallelWorkersPerGather(BigDecimal cu) {
        // A gather worker needs a core of its own to pay off: one per two CU, the leader keeps one.
        return Math.min(MAX_PARALLEL_WORKERS_PER_GATHER, cu.divide(BigDecimal.valueOf(2), 0, RoundingMode.FLOOR).intValue());
    }

    /**
     * The owner may log in to its own database over TCP with SCRAM, from anywhere; the agent's superuser only over the
     * socket. Anything else matches no line and is rejected.
     */
    static String hba(ComputeSpec spec) {
        String db = SqlText.identifier(spec.databaseName());
        String owner = SqlText.identifier(spec.ownerRole());
        return "# Written by Stratus; edits are overwritten.\n"
                + "local all " + ComputeConventions.SUPERUSER + " trust\n"
                + "host " + db + " " + owner + " 0.0.0.0/0 scram-sha-256\n"
                + "host " + db + " " + owner + " ::/0 scram-sha-256\n";
    }

    /** Names of settings whose current value (as read back from the settings file) differs from this config's. */
    Set<String> changedFrom(Map<String, Optional<String>> current) {
        Set<String> changed = new TreeSet<>();
        current.forEach((name, value) -> {
            if (!value.equals(Optional.ofNullable(settings.get(name)))) {
                changed.add(name);
            }
        });
        settings.keySet().stream().filter(k -> !current.containsKey(k)).forEach(changed::add);
        return changed;
    }

    /** Every setting name worth reading back: ours, and the restart-only ones we may have to remove. */
    Set<String> namesToCompare() {
        Set<String> names = new TreeSet<>(settings.keySet());
        names.addAll(RESTART_ONLY);
        return names;
    }

    private static int scaled(BigDecimal cu, int perCu, int min) {
        return Math.max(min, cu.multiply(BigDecimal.valueOf(perCu)).intValue());
    }

    private static String megabytes(int mb) {
        return mb + "MB";
    }

    private static BigDecimal positiveOr(BigDecimal v, BigDecimal fallback) {
        return v == null || v.signum() <= 0 ? fallback : v;
    }
}
