package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.agent.capacity.CapacityUnit;
import io.stratus.protocol.ComputeSpec;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ComputeConfigTests {

    private static final Path SOCKETS = Path.of("/tmp/stratus-0123456789abcdef");

    @Test
    void sizesRestartOnlySettingsFromTheTopOfTheRange() {
        ComputeConfig config = ComputeConfig.of(spec("1", "0.5", "4"), SOCKETS, true, CapacityUnit.DEFAULT);

        assertThat(config.settings()).containsEntry("max_connections", "250").containsEntry("shared_buffers", "128MB");
    }

    @Test
    void sizesReloadableSettingsFromTheCuGrantedNow() {
        ComputeConfig config = ComputeConfig.of(spec("2", "1", "4"), SOCKETS, true, CapacityUnit.DEFAULT);

        assertThat(config.settings()).containsEntry("work_mem", "8MB").containsEntry("maintenance_work_mem", "128MB")
                .containsEntry("effective_cache_size", "6144MB").containsEntry("max_parallel_workers_per_gather", "1");
    }

    @Test
    void neverSizesBelowTheFloorsForAQuarterCu() {
        ComputeConfig config = ComputeConfig.of(spec("0.25", "0.25", "0.25"), SOCKETS, true, CapacityUnit.DEFAULT);

        assertThat(config.settings()).containsEntry("max_connections", "62").containsEntry("shared_buffers", "16MB")
                .containsEntry("work_mem", "1MB").containsEntry("maintenance_work_mem", "16MB")
                .containsEntry("max_parallel_workers_per_gather", "0");
    }

    @Test
    void suspendedComputeWithZeroCuIsSizedForItsRange() {
        ComputeConfig config = ComputeConfig.of(spec("0", "0", "2"), SOCKETS, true, CapacityUnit.DEFAULT);

        assertThat(config.settings()).containsEntry("work_mem", "8MB").containsEntry("shared_buffers", "64MB");
    }

    // A CU change must never need a restart: whatever differs between two CUs of one range must reload.
    @Test
    void changingTheCuChangesOnlySettingsThatReload() {
        Map<String, String> small = ComputeConfig.of(spec("0.25", "0.25", "8"), SOCKETS, true, CapacityUnit.DEFAULT).settings();
        Map<String, String> large = ComputeConfig.of(spec("8", "0.25", "8"), SOCKETS, true, CapacityUnit.DEFAULT).settings();

        Set<String> differing = new TreeSet<>();
        small.forEach((k, v) -> {
            if (!v.equals(large.get(k))) {
                differing.add(k);
            }
        });
        assertThat(differing).containsExactlyInAnyOrderElementsOf(ComputeConfig.FOLLOW_CU);
        assertThat(differing).doesNotContainAnyElementsOf(ComputeConfig.RESTART_ONLY);
    }

    @Test
    void parallelWorkersFollowTheVcpusGranted() {
        assertThat(ComputeConfig.of(spec("1", "1", "8"), SOCKETS, true, CapacityUnit.DEFAULT).settings())
                .containsEntry("max_parallel_workers", "0").containsEntry("max_parallel_workers_per_gather", "0");
        assertThat(ComputeConfig.of(spec("4", "1", "8"), SOCKETS, true, CapacityUnit.DEFAULT).settings())
                .containsEntry("max_parallel_workers", "3").containsEntry("max_parallel_workers_per_gather", "2");
        // Never past max_worker_processes (8 by default), which would need a restart to raise.
        assertThat(ComputeConfig.of(spec("16", "1", "16"), SOCKETS, true, CapacityUnit.DEFAULT).settings())
                .containsEntry("max_parallel_workers", "8").containsEntry("max_parallel_workers_per_gather", "4");
    }

    @Test
    void sizesFromWhatACuIsWorthOnThisHost() {
        CapacityUnit twoVcpusAndTwoGib = new CapacityUnit(BigDecimal.valueOf(2), 2L << 30);

        ComputeConfig config = ComputeConfig.of(spec("2", "1", "2"), SOCKETS, true, twoVcpusAndTwoGib);

        assertThat(config.settings()).containsEntry("work_mem", "4MB").containsEntry("effective_cache_size", "3072MB")
                .containsEntry("shared_buffers", "32MB").containsEntry("max_parallel_workers", "3")
                .containsEntry("max_parallel_workers_per_gather", "2");
    }

    @Test
    void listensOnItsHiddenSocketOnlyNeverOnTcp() {
        ComputeConfig config = ComputeConfig.of(spec("1", "1", "1"), SOCKETS, true, CapacityUnit.DEFAULT);

        assertThat(config.settings()).containsEntry("port", "5432").containsEntry("listen_addresses", "")
                .containsEntry("unix_socket_directories", SOCKETS.toString())
                .containsEntry("unix_socket_permissions", "0700")
                .containsEntry("password_encryption", "scram-sha-256")
                .containsEntry("shared_preload_libraries", "pg_stat_statements");
    }

    @Test
    void capsASessionsTemporaryFilesAtTheMemoryOfTheTopOfItsRange() {
        assertThat(ComputeConfig.of(spec("0.25", "0.25", "0.25"), SOCKETS, true, CapacityUnit.DEFAULT).settings())
                .containsEntry("temp_file_limit", "1024MB");
        assertThat(ComputeConfig.of(spec("1", "0.25", "2"), SOCKETS, true, CapacityUnit.DEFAULT).settings())
                .as("sized from maxCu, not the CU granted now").containsEntry("temp_file_limit", "8192MB");
    }

    // Metering counts top-level statements, utility ones (BEGIN, COPY, DDL) included, and wants no evictions.
    @Test
    void tracksTopLevelAndUtilityStatementsForMetering() {
        ComputeConfig config = ComputeConfig.of(spec("1", "1", "1"), SOCKETS, true, CapacityUnit.DEFAULT);

        assertThat(config.settings()).containsEntry("pg_stat_statements.track", "top")
                .containsEntry("pg_stat_statements.track_utility", "on")
                .containsEntry("pg_stat_statements.save", "on")
                .containsEntry("pg_stat_statements.max", "10000");
        assertThat(ComputeConfig.RESTART_ONLY).as("a new size waits for the next start, it forces none")
                .doesNotContain("pg_stat_statements.max");
    }

    @Test
    void preloadsNothingUnlessTheTenantAskedForPgStatStatementsAndTheReleaseHasIt() {
        ComputeConfig config = ComputeConfig.of(spec("1", "1", "1"), SOCKETS, false, CapacityUnit.DEFAULT);

        // Written empty rather than left out: a compute that had it loses it at its next start.
        assertThat(config.settings()).containsEntry("shared_preload_libraries", "")
                .doesNotContainKeys("pg_stat_statements.max", "pg_stat_statements.track");
        assertThat(ComputeConfig.SIZED_AT_START).as("turning it on or off never restarts a running compute")
                .contains("shared_preload_libraries");
    }

    @Test
    void hbaAdmitsTheOwnerWithItsPasswordAndTheAgentOnlyOverTheSocket() {
        String hba = ComputeConfig.hba(spec("1", "1", "1"));

        assertThat(hba.lines().filter(l -> !l.startsWith("#"))).containsExactly(
                "local all stratus_agent trust",
                "local \"app\" \"app_owner\" scram-sha-256");
    }

    @Test
    void reportsWhichSettingsDifferFromTheFile() {
        ComputeConfig config = ComputeConfig.of(spec("1", "1", "1"), SOCKETS, false, CapacityUnit.DEFAULT);
        Map<String, Optional<String>> current = new HashMap<>();
        config.namesToCompare().forEach(n -> current.put(n, Optional.ofNullable(config.settings().get(n))));
        assertThat(config.changedFrom(current)).isEmpty();

        current.put("work_mem", Optional.of("1MB"));
        current.put("shared_preload_libraries", Optional.of("pg_stat_statements"));

        assertThat(config.changedFrom(current)).containsExactly("shared_preload_libraries", "work_mem");
    }

    private static ComputeSpec spec(String cu, String minCu, String maxCu) {
        return TestSpecs.app().ownerVerifier("SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5").cu(new BigDecimal(cu))
                .minCu(new BigDecimal(minCu)).maxCu(new BigDecimal(maxCu)).specVersion(1).build();
    }
}
