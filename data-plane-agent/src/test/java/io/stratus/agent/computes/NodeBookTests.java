package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.DesiredState;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The node's bookkeeping: generations observed and reconciled, and what is published when. */
class NodeBookTests {

    private static final UUID NODE = UUID.randomUUID();

    private final List<Object> events = new CopyOnWriteArrayList<>();
    private final NodeBook book = new NodeBook(events::add);

    @Test
    void aGenerationIsObservedOnlyOnceEveryComputeOfItIsAppliedAndHealthyAndNoOtherIsLeft() {
        ComputeSpec a = spec(UUID.randomUUID(), "1");
        ComputeSpec b = spec(UUID.randomUUID(), "1");
        book.tookUp(new DesiredState(NODE, 4, List.of(a, b)));
        Compute ca = appliedAs(a);

        book.updateObservedGeneration();
        assertThat(book.observe().observedGeneration()).as("b unknown").isZero();

        Compute cb = appliedAs(b);
        cb.attemptFailed(Instant.EPOCH);
        book.updateObservedGeneration();
        assertThat(book.observe().observedGeneration()).as("b failed").isZero();

        cb.succeeded();
        Compute stale = appliedAs(spec(UUID.randomUUID(), "1"));
        book.updateObservedGeneration();
        assertThat(book.observe().observedGeneration()).as("an unwanted compute still listed").isZero();

        book.remove(stale.id);
        ca.applied = new AppliedCompute(spec(a.computeId(), "2"), "15.18", 0, null);
        book.updateObservedGeneration();
        assertThat(book.observe().observedGeneration()).as("a applied with another CU").isZero();

        ca.applied = new AppliedCompute(spec(a.computeId(), "1.00"), "15.18", 0, null);
        book.updateObservedGeneration();
        assertThat(book.observe().observedGeneration()).isEqualTo(4);
    }

    @Test
    void theReconciledGenerationNeverGoesBack() {
        book.reconciled(7);
        book.reconciled(5);

        assertThat(book.observe().reconciledGeneration()).isEqualTo(7);
    }

    @Test
    void changesArePublishedOnceAndStatusesInIdOrder() {
        Compute second = book.getOrAdd(new UUID(0, 2));
        Compute first = book.getOrAdd(new UUID(0, 1));
        NodeBook.setStatus(second, book.status(second, ComputePhase.STARTING, null, false, null));
        NodeBook.setStatus(first, book.status(first, ComputePhase.STARTING, null, false, null));

        NodeObservation published = book.publishIfChanged();
        book.publishIfChanged();

        assertThat(published.computes()).extracting(ComputeStatus::computeId).containsExactly(first.id, second.id);
        assertThat(events).containsExactly(new ComputesChanged(published));

        NodeBook.setStatus(first, first.status.withMessage("restarted after crash"));
        book.publishIfChanged();
        assertThat(events).hasSize(2);
    }

    @Test
    void aComputeIsReportedRunningToTheSamplerOnlyWhileCuIsInForce() {
        Compute c = appliedAs(spec(UUID.randomUUID(), "1"));
        // Never started: the book reads nothing from it for a running or stopped status.
        c.cluster = new PostgresCluster(new PostgresRelease("15.18", Path.of("/nonexistent"), "host"),
                Path.of("/nonexistent/pgdata"), null);
        c.cuInForce = new BigDecimal("1");

        NodeBook.setStatus(c, book.status(c, ComputePhase.RUNNING, null, true, null));
        assertThat(book.running()).singleElement().satisfies(r -> {
            assertThat(r.databaseName()).isEqualTo("app");
            assertThat(r.appliedCu()).isEqualByComparingTo("1");
        });

        NodeBook.setStatus(c, book.status(c, ComputePhase.STOPPED, null, false, null));
        assertThat(c.status.appliedCu()).isEqualByComparingTo("0");
        assertThat(book.running()).isEmpty();
    }

    private Compute appliedAs(ComputeSpec spec) {
        Compute c = book.getOrAdd(spec.computeId());
        c.applied = new AppliedCompute(spec, "15.18", 0, null);
        return c;
    }

    private static ComputeSpec spec(UUID id, String cu) {
        return TestSpecs.app().computeId(id).cu(new BigDecimal(cu)).build();
    }
}
