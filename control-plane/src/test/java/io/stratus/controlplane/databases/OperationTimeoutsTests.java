package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class OperationTimeoutsTests extends ControlPlaneTest {

    @Autowired
    private OperationTimeouts timeouts;

    private UUID operation(UUID tenant, UUID database, String type, Duration age) {
        UUID id = UUID.randomUUID();
        jdbc.update("insert into operations (id, tenant_id, database_id, type, state, created_at) values (?, ?, ?, ?, "
                + "'RUNNING', ?)", id, tenant, database, type, Timestamp.from(Instant.now().minus(age)));
        return id;
    }

    private String state(UUID operation) {
        return jdbc.queryForObject("select state from operations where id = ?", String.class, operation);
    }

    // A backup runs for hours under its task's deadline; the 10-minute operation timeout must not call it failed
    // while its task still runs (it would then show FAILED for a backup that succeeds). A restore gets hours too.
    @Test
    void backupOperationsEndWithTheirTasksAndRestoresGetTheRestoreTimeout() {
        TestTenant t = newTenant();
        UUID db = UUID.fromString(createDatabase(t, "timed").at("/database/id").asString());
        UUID tenant = UUID.fromString(t.id());
        UUID backup = operation(tenant, db, "BACKUP_DATABASE", Duration.ofHours(1));
        UUID verify = operation(tenant, db, "VERIFY_BACKUP", Duration.ofHours(1));
        UUID restoring = operation(tenant, db, "RESTORE_DATABASE", Duration.ofHours(1));
        UUID restoreTooLong = operation(tenant, db, "RESTORE_DATABASE", Duration.ofHours(7));
        UUID resume = operation(tenant, db, "RESUME_DATABASE", Duration.ofHours(1));

        timeouts.failExpired();

        assertThat(state(backup)).isEqualTo("RUNNING");
        assertThat(state(verify)).isEqualTo("RUNNING");
        assertThat(state(restoring)).isEqualTo("RUNNING");
        assertThat(state(restoreTooLong)).isEqualTo("FAILED");
        assertThat(state(resume)).as("others as before").isEqualTo("FAILED");
    }
}
