package io.stratus.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ComputeSpecTests {

    private static final ComputeSpec EVERY_FIELD_SET = new ComputeSpec(UUID.randomUUID(), "app", "app_owner",
            "SCRAM-SHA-256$4096:x", true, new BigDecimal("1.5"), new BigDecimal("0.25"), new BigDecimal("4"), "15",
            42, java.util.List.of(new RoleSpec("reporting", "SCRAM-SHA-256$4096:y", true)), true, 1_000_000L,
            new RestoreSpec(UUID.randomUUID(), UUID.randomUUID(), java.time.Instant.parse("2026-12-08T03:00:00Z"), "shop",
                    "shop_owner"),
            java.util.Map.of("statement_timeout", "30s"));

    // A field added to the record and forgotten in toBuilder() would be dropped by every "change one field" call.
    @Test
    void aBuilderFromASpecKeepsEveryField() {
        assertThat(EVERY_FIELD_SET.toBuilder().build()).isEqualTo(EVERY_FIELD_SET);
    }

    @Test
    void aBuilderChangesOnlyTheFieldsNamed() {
        ComputeSpec more = EVERY_FIELD_SET.toBuilder().cu(new BigDecimal("2")).specVersion(43).build();

        assertThat(more.cu()).isEqualByComparingTo("2");
        assertThat(more.specVersion()).isEqualTo(43);
        assertThat(more.toBuilder().cu(EVERY_FIELD_SET.cu()).specVersion(42).build()).isEqualTo(EVERY_FIELD_SET);
    }

    @Test
    void tasksAreNeverNullInADesiredState() {
        assertThat(new DesiredState(UUID.randomUUID(), 1, java.util.List.of()).tasks()).isEmpty();
        assertThat(new DesiredState(UUID.randomUUID(), 1, java.util.List.of(), null).tasks()).isEmpty();
    }
}
