package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.protocol.ComputeSpec;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ComputeConfigTests {

    private static final Path SOCKETS = Path.of("/tmp/stratus-0123456789abcdef");

    @Test
    void sizesRestartOnlySettingsFromTheTopOfTheRange() {
        ComputeConfig config = ComputeConfig.of(spec("1", "0.5", "4"), "127.0.0.1", SOCKETS, true);

        assertThat(config.settings()).containsEntry("max_connections", "250").containsEntry("shared_buffers", "128MB");
    }

    @Test
    void sizesReloadableSettingsFromTheCuGrantedNow() {
        ComputeConfig config = ComputeConfig.of(spec("2", "1", "4"), "127.0.0.1", SOCKETS, true);

        assertThat(config.settings()).containsEntry("work_mem", "8MB").containsEntry("maintenance_work_mem", "128MB")
                .containsEntry("effective_cache_size", "6144MB").containsEntry("max_parallel_workers_per_gather", "1");
    }

    @Test
    void neverSizesBelowTheFloorsForAQuarterCu() {
        ComputeConfig config = ComputeConfig.of(spec("0.25", "0.25", "0.25"), "127.0.0.1", SOCKETS, true);

        assertThat(config.settings()).containsEntry("max_connections", "62").containsEntry("shared_buffers", "16MB")
                .containsEntry("work_mem", "1MB").containsEntry("maintenance_work_mem", "16MB")
                .containsEntry("max_parallel_workers_per_gather", "0");
    }

    @Test
    void suspendedComputeWithZeroCuIsSizedForItsRange() {
        ComputeConfig config = ComputeConfig.of(spec("0", "0", "2"), "127.0.0.1", SOCKETS, true);

        assertThat(config.settings()).containsEntry("work_mem", "8MB").containsEntry("shared_buffers", "64MB");
    }

    @Test
    void listensOnTheNodeAddressAndHidesTheSocket() {
        ComputeConfig config = ComputeConfig.of(spec("1", "1", "1"), "10.0.0.7", SOCKETS, true);

        assertThat(config.settings()).containsEntry("port", "55432").containsEntry("listen_addresses", "10.0.0.7")
                .containsEntry("unix_socket_directories", SOCKETS.toString())
                .containsEntry("unix_socket_permissions", "0700")
                .containsEntry("password_encryption", "scram-sha-256")
                .containsEntry("shared_preload_libraries", "pg_stat_statements");
    }

    @Test
    void leavesOutPgStatStatementsWhenTheReleaseLacksIt() {
        ComputeConfig config = ComputeConfig.of(spec("1", "1", "1"), "127.0.0.1", SOCKETS, false);

        assertThat(config.settings()).doesNotContainKey("shared_preload_libraries");
    }

    @Test
    void hbaAdmitsTheOwnerOverTcpAndTheAgentOnlyOverTheSocket() {
        String hba = ComputeConfig.hba(spec("1", "1", "1"));

        assertThat(hba.lines().filter(l -> !l.startsWith("#"))).containsExactly(
                "local all stratus_agent trust",
                "host \"app\" \"app_owner\" 0.0.0.0/0 scram-sha-256",
                "host \"app\" \"app_owner\" ::/0 scram-sha-256");
    }

    @Test
    void reportsWhichSettingsDifferFromTheFile() {
        ComputeConfig config = ComputeConfig.of(spec("1", "1", "1"), "127.0.0.1", SOCKETS, false);
        Map<String, Optional<String>> current = new HashMap<>();
        config.namesToCompare().forEach(n -> current.put(n, Optional.ofNullable(config.settings().get(n))));
        assertThat(config.changedFrom(current)).isEmpty();

        current.put("work_mem", Optional.of("1MB"));
        current.put("shared_preload_libraries", Optional.of("pg_stat_statements"));

        assertThat(config.changedFrom(current)).containsExactly("shared_preload_libraries", "work_mem");
    }

    private static ComputeSpec spec(String cu, String minCu, String maxCu) {
        return new ComputeSpec(UUID.randomUUID(), "app", "app_owner", "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5", true,
                new BigDecimal(cu), new BigDecimal(minCu), new BigDecimal(maxCu), 55432, "15", 1);
    }
}
