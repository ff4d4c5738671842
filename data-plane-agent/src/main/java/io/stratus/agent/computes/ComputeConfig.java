package io.stratus.agent.computes;

import io.stratus.agent.ComputeConventions;
import io.stratus.agent.capacity.CapacityUnit;
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
 * the rest ({@link #FOLLOW_CU}) follow the CU granted now and change on a reload, so a CU change never restarts.
 */
record ComputeConfig(Map<String, String> settings, String hba) {

    /** Postmaster-context settings: changing one on a running compute needs a restart. */
    static final Set<String> RESTART_ONLY = Set.of("port", "listen_addresses", "unix_socket_directories",
            "unix_socket_permissions", "shared_buffers", "max_connections", "shared_preload_libraries", "archive_mode");

    /**
     * Postmaster-context settings sized from the CU range (maxCu), and the preloaded libraries (the tenant's
     * pg_stat_statements): a change writes them, and they take effect at the compute's next start (a resume, a
     * restart). Such a change never restarts a running compute: that would drop every session and roll back their
     * transactions for a few megabytes of buffers, a connection limit or query statistics.
     */
    static final Set<String> SIZED_AT_START = Set.of("shared_buffers", "max_connections", "shared_preload_libraries",
            "archive_mode");

    static final String STAT_STATEMENTS = "pg_stat_statements";

    /**
     * Entries pg_stat_statements keeps (one per role, database and statement shape): far above what one tenant's
     * application uses, so that its statistics are not evicted in normal use. Postmaster
     * context, but deliberately not in {@link #RESTART_ONLY}: a compute running with the old size keeps working and
     * takes the new one at its next start; a restart of every compute for it would cost tenants more than it saves.
     */
    static final String STAT_STATEMENTS_MAX = "10000";

    // Sizing. Memory settings are fractions of the memory a CU grants (the figures in brackets are for the default
    // 4 GiB per CU); CPU-bound ones follow the vCPUs it grants.
    private static final int BASE_CONNECTIONS = 50;
    private static final int CONNECTIONS_PER_CU = 50;
    /** shared_buffers: 1/128 of the top of the range's memory (32 MB per 4 GiB); small, for dense hosts. */
    private static final int SHARED_BUFFERS_DIVISOR = 128;
    private static final long SHARED_BUFFERS_MIN_MB = 16;
    /** work_mem: 1/1024 of the CU's memory (4 MB per 4 GiB): many sorts may run at once. */
    private static final int WORK_MEM_DIVISOR = 1024;
    private static final long WORK_MEM_MIN_MB = 1;
    /** maintenance_work_mem: 1/64 (64 MB per 4 GiB). */
    private static final int MAINTENANCE_WORK_MEM_DIVISOR = 64;
    private static final long MAINTENANCE_WORK_MEM_MIN_MB = 16;
    /** effective_cache_size: 3/4 of the CU's memory (3072 MB per 4 GiB). */
    private static final long EFFECTIVE_CACHE_MIN_MB = 128;
    private static final int MAX_PARALLEL_WORKERS_PER_GATHER = 4;
    /** Postgres' default max_worker_processes (restart-only, not set here): parallel workers cannot exceed it. */
    private static final int MAX_WORKER_PROCESSES = 8;
    private static final long MB = 1024 * 1024;

    /** The names of the settings that follow the CU granted now; all of them change on a reload. */
    static final Set<String> FOLLOW_CU = Set.of("work_mem", "maintenance_work_mem", "effective_cache_size",
            "max_parallel_workers_per_gather", "max_parallel_workers");

    /**
     * @param socketDir      its Unix socket directory (0700: only the Postgres OS user and root, the agent and its
     *                       front door, can connect; the compute listens on no TCP port)
     * @param statStatements preload pg_stat_statements: the tenant asked for it and the release ships it (preloading a
     *                       missing library stops startup)
     * @param unit           what one CU is worth on this host
     */
    static ComputeConfig of(ComputeSpec spec, Path socketDir, boolean statStatements,
                            CapacityUnit unit) {
        return of(spec, socketDir, statStatements, unit, Map.of());
    }

    /**
     * @param archiving the settings that archive its WAL ({@link ComputeBackups#archiveSettings}); archive_mode takes
     *                  effect at the compute's next start (a resume, a restart), never by restarting a running one
     */
    static ComputeConfig of(ComputeSpec spec, Path socketDir, boolean statStatements,
                            CapacityUnit unit, Map<String, String> archiving) {
        BigDecimal maxCu = maxCu(spec);
        BigDecimal cu = effectiveCu(spec);
        long cuMemoryMb = unit.memoryBytes(cu) / MB;
        Map<String, String> s = new LinkedHashMap<>();
        // The port only names the socket file (.s.PGSQL.5432) in the compute's own directory: nothing to allocate.
        s.put("port", String.valueOf(ComputeConventions.SOCKET_PORT));
        s.put("listen_addresses", "");
        s.put("unix_socket_directories", socketDir.toString());
        s.put("unix_socket_permissions", "0700");
        s.put("max_connections", String.valueOf(maxConnections(maxCu)));
        s.put("shared_buffers", megabytes(Math.max(SHARED_BUFFERS_MIN_MB,
                unit.memoryBytes(maxCu) / MB / SHARED_BUFFERS_DIVISOR)));
        // Metering does not need it (the front door counts requests on the wire): only a tenant who asked for its query
        // statistics pays its cost (4-6 % of a small compute's simple-protocol throughput, bench/pgss-overhead.sh).
        s.put("shared_preload_libraries", statStatements ? STAT_STATEMENTS : "");
        if (statStatements) {
            s.put("pg_stat_statements.max", STAT_STATEMENTS_MAX);
            s.put("pg_stat_statements.track", "top");
            s.put("pg_stat_statements.track_utility", "on");
            s.put("pg_stat_statements.save", "on");
        }
        // No restart needed for any of these: they change on reload, so they follow the CU as it scales.
        s.put("work_mem", megabytes(Math.max(WORK_MEM_MIN_MB, cuMemoryMb / WORK_MEM_DIVISOR)));
        s.put("maintenance_work_mem", megabytes(Math.max(MAINTENANCE_WORK_MEM_MIN_MB,
                cuMemoryMb / MAINTENANCE_WORK_MEM_DIVISOR)));
        s.put("effective_cache_size", megabytes(Math.max(EFFECTIVE_CACHE_MIN_MB, cuMemoryMb * 3 / 4)));
        BigDecimal vcpus = unit.vcpus(cu);
        s.put("max_parallel_workers_per_gather", String.valueOf(parallelWorkersPerGather(vcpus)));
        s.put("max_parallel_workers", String.valueOf(maxParallelWorkers(vcpus)));
        // One session's temporary files (sorts, hashes spilled to disk) are capped at the memory of the top of its CU
        // range: unlimited (-1, Postgres' default), one query could fill the host's disk for every compute on it.
        // superuser-only (PGC_SUSET): a tenant's role cannot raise it.
        s.put("temp_file_limit", megabytes(unit.memoryBytes(maxCu) / MB));
        s.put("password_encryption", "scram-sha-256");
        s.put("timezone", "UTC");
        s.put("log_timezone", "UTC");
        s.put("log_line_prefix", "%m [%p] %q%u@%d ");
        s.putAll(archiving);
        // The operator's settings (a rolling update) come last and never replace one Stratus sizes or relies on: the
        // control plane allows only names outside this file's, and an agent keeps its own all the same.
        spec.settings().forEach(s::putIfAbsent);
        return new ComputeConfig(Map.copyOf(s), hba(spec));
    }

    /**
     * The CU a compute runs with: the spec's, capped at the top of its range. A suspended compute may be sent cu = 0
     * and a scale-to-zero range may start at 0: it is sized (and limited) for what it gets when it runs, never for 0.
     */
    static BigDecimal effectiveCu(ComputeSpec spec) {
        BigDecimal maxCu = maxCu(spec);
        return positiveOr(spec.cu(), positiveOr(spec.minCu(), maxCu)).min(maxCu);
    }

    private static BigDecimal maxCu(ComputeSpec spec) {
        return positiveOr(spec.maxCu(), positiveOr(spec.minCu(), BigDecimal.ONE));
    }

    static int maxConnections(BigDecimal maxCu) {
        return BASE_CONNECTIONS + maxCu.multiply(BigDecimal.valueOf(CONNECTIONS_PER_CU)).intValue();
    }

    static int parallelWorkersPerGather(BigDecimal vcpus) {
        // A gather worker needs a core of its own to pay off: one per two vCPUs, the leader keeps one.
        return Math.min(MAX_PARALLEL_WORKERS_PER_GATHER, vcpus.divide(BigDecimal.valueOf(2), 0, RoundingMode.FLOOR).intValue());
    }

    static int maxParallelWorkers(BigDecimal vcpus) {
        // Across all queries: every vCPU but the one a leader needs, at most what max_worker_processes allows.
        return Math.min(MAX_WORKER_PROCESSES, Math.max(0, vcpus.setScale(0, RoundingMode.FLOOR).intValue() - 1));
    }

    /**
     * The owner may log in to its own database with SCRAM, and the agent's superuser without a password; both only over
     * the socket, which only the agent and its front door can reach. Anything else matches no line and is rejected.
     */
    static String hba(ComputeSpec spec) {
        String db = SqlText.identifier(spec.databaseName());
        String owner = SqlText.identifier(spec.ownerRole());
        return "# Written by Stratus; edits are overwritten.\n"
                + "local all " + ComputeConventions.SUPERUSER + " trust\n"
                + "local " + db + " " + owner + " scram-sha-256\n"
                + spec.roles().stream().map(r -> "local " + db + " " + SqlText.identifier(r.name()) + " scram-sha-256\n")
                        .collect(java.util.stream.Collectors.joining());
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

    private static String megabytes(long mb) {
        return mb + "MB";
    }

    private static BigDecimal positiveOr(BigDecimal v, BigDecimal fallback) {
        return v == null || v.signum() <= 0 ? fallback : v;
    }
}
