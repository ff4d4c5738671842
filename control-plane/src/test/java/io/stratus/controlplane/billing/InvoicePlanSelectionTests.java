package io.stratus.controlplane.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which plan prices a month: the last one assigned before the month ended, else the first one. */
class InvoicePlanSelectionTests {

    private final UUID a = UUID.randomUUID();
    private final UUID b = UUID.randomUUID();
    private final List<PricePlans.Assignment> history = List.of(
            new PricePlans.Assignment(Instant.parse("2026-03-10T00:00:00Z"), a),
            new PricePlans.Assignment(Instant.parse("2026-05-20T00:00:00Z"), b));

    @Test
    void aMonthIsPricedByThePlanItEndedOn() {
        assertThat(Invoices.planAt(history, Instant.parse("2026-04-01T00:00:00Z"))).isEqualTo(a); // March
        assertThat(Invoices.planAt(history, Instant.parse("2026-05-01T00:00:00Z"))).isEqualTo(a); // April
        assertThat(Invoices.planAt(history, Instant.parse("2026-06-01T00:00:00Z"))).isEqualTo(b); // May: b from the 20th
    }

    @Test
    void monthsBeforeTheFirstAssignmentUseTheFirstPlan() {
        assertThat(Invoices.planAt(history, Instant.parse("2026-02-01T00:00:00Z"))).isEqualTo(a);
    }
}
