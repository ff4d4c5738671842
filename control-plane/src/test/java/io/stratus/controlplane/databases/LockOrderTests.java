package io.stratus.controlplane.databases;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LockOrderTests extends ControlPlaneTest {

    @Test
    void sortsIdsAsPostgresOrdersThemNotAsUuidCompareToDoes() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ids.add(UUID.randomUUID());
        }
        ids.add(UUID.fromString("88696ddc-0000-4000-8000-000000000000"));
        ids.add(UUID.fromString("3f76d4a1-0000-4000-8000-000000000000"));

        List<UUID> postgres = jdbc.queryForList("select id from unnest(?::uuid[]) as t(id) order by id", UUID.class,
                (Object) ids.stream().map(UUID::toString).toArray(String[]::new));

        assertThat(ids.stream().sorted(LockOrder.BY_ID).toList()).isEqualTo(postgres);
        assertThat(ids.stream().sorted().toList()).as("the order this replaces").isNotEqualTo(postgres);
    }
}
