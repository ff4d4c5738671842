package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.DesiredState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** What a health pass does for one compute, decided without a postmaster: the postmaster's state is handed in. */
class HealthActionTests {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final UUID ID = UUID.randomUUID();
    private static final ComputeSpec RUNNING = spec(true);
    private static final ComputeSpec STOPPED = spec(false);

    /** Counts the process checks: a health pass must not ask when the answer does not matter. */
    private final AtomicInteger asked = new AtomicInteger();

    @Test
    void aComputeGoneFromTheDesiredStateWhoseDeletionFailedIsDeletedAgainOnceItsBackoffPassed() {
        Compute c = applied(RUNNING);
        c.attemptFailed(NOW);

        assertThat(decide(c, Optional.empty(), true, NOW.plusSeconds(1), up())).isEqualTo(HealthAction.DELETE);
        assertThat(decide(c, Optional.empty(), true, NOW.plusMillis(999), up())).isEqualTo(HealthAction.NOTHING);
        assertThat(asked).hasValue(0);
    }

    // An agent that cannot reach the control plane deletes nothing.
    @Test
    void nothingIsDeletedBeforeTheControlPlaneHasSpoken() {
        Compute c = applied(RUNNING);
        c.attemptFailed(NOW);

        assertThat(decide(c, Optional.empty(), false, NOW.plusSeconds(5), up())).isEqualTo(HealthAction.NOTHING);
    }

    @Test
    void aComputeGoneFromTheDesiredStateThatDidNotFailIsLeftToTheDesiredStatePass() {
        assertThat(decide(applied(RUNNING), Optional.empty(), true, NOW, down())).isEqualTo(HealthAction.NOTHING);
        assertThat(asked).hasValue(0);
    }

    @Test
    void aFailedComputeIsRetriedOnlyOnceItsBackoffPassedAndNotRestartedAsCrashed() {
        Compute c = applied(RUNNING);
        Duration wait = c.attemptFailed(NOW);
        c.attemptFailed(NOW);

        assertThat(wait).isEqualTo(Duration.ofSeconds(1));
        assertThat(decide(c, Optional.of(RUNNING), true, NOW.plusSeconds(1), down())).isEqualTo(HealthAction.NOTHING);
        assertThat(decide(c, Optional.of(RUNNING), true, NOW.plusSeconds(2), down())).isEqualTo(HealthAction.RETRY);
        assertThat(asked).hasValue(0);
    }

    @Test
    void aComputeFoundStoppedAtAdoptionIsStartedNotCountedAsACrash() {
        Compute c = applied(RUNNING);
        c.startAfterAdoption = true;

        assertThat(decide(c, Optional.of(RUNNING), false, NOW, down())).isEqualTo(HealthAction.START_AFTER_ADOPTION);
        assertThat(asked).hasValue(0);
    }

    @Test
    void aRunningComputeWhosePostmasterIsGoneIsRestartedAfterACrash() {
        assertThat(decide(applied(RUNNING), Optional.of(RUNNING), true, NOW, down()))
                .isEqualTo(HealthAction.RESTART_AFTER_CRASH);
        assertThat(asked).hasValue(1);
    }

    @Test
    void aRunningComputeWhosePostmasterRunsHasItsEnrolmentChecked() {
        assertThat(decide(applied(RUNNING), Optional.of(RUNNING), true, NOW, up()))
                .isEqualTo(HealthAction.CHECK_ENROLMENT);
        assertThat(asked).hasValue(1);
    }

    // Running as applied but about to be stopped, or stopped as applied and about to run: the desired state's pass
    // does that, the health pass must not restart or enrol in between.
    @Test
    void aComputeWhoseTargetDiffersFromWhatWasAppliedIsLeftToTheDesiredStatePass() {
        Compute suspending = applied(RUNNING);
        Compute resuming = applied(STOPPED);

        assertThat(decide(suspending, Optional.of(STOPPED), true, NOW, down())).isEqualTo(HealthAction.NOTHING);
        assertThat(decide(resuming, Optional.of(RUNNING), true, NOW, down())).isEqualTo(HealthAction.NOTHING);
    }

    @Test
    void aStoppedComputeIsLeftAlone() {
        Compute stopped = applied(STOPPED);

        assertThat(decide(stopped, Optional.of(STOPPED), true, NOW, down())).isEqualTo(HealthAction.NOTHING);
        assertThat(asked).as("no process check for a stopped compute").hasValue(0);
    }

    @Test
    void aComputeNeverAppliedInFullIsLeftToTheDesiredStatePass() {
        Compute c = new Compute(ID);

        assertThat(decide(c, Optional.of(RUNNING), true, NOW, down())).isEqualTo(HealthAction.NOTHING);
        assertThat(decide(c, Optional.of(STOPPED), true, NOW, down())).isEqualTo(HealthAction.NOTHING);
    }

    @Test
    void theTargetIsTheControlPlanesSpecOnceItSpokeElseTheOneLastApplied() {
        Compute c = applied(RUNNING);
        ComputeSpec other = TestSpecs.app().databaseName("b").ownerRole("b_owner").build();

        assertThat(HealthPass.targetSpec(c, null)).contains(RUNNING);
        assertThat(HealthPass.targetSpec(new Compute(ID), null)).isEmpty();
        assertThat(HealthPass.targetSpec(c, new DesiredState(UUID.randomUUID(), 2, List.of(other, STOPPED))))
                .contains(STOPPED);
        assertThat(HealthPass.targetSpec(c, new DesiredState(UUID.randomUUID(), 2, List.of(other)))).isEmpty();
    }

    @Test
    void backoffDoublesFromASecondToAMinute() {
        Compute c = new Compute(ID);

        assertThat(c.retryDue(NOW)).isTrue();
        assertThat(c.attemptFailed(NOW)).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.attemptFailed(NOW)).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.attemptFailed(NOW)).isEqualTo(Duration.ofSeconds(4));
        for (int i = 0; i < 10; i++) {
            c.attemptFailed(NOW);
        }
        assertThat(c.attemptFailed(NOW)).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.nextAttempt).isEqualTo(NOW.plus(Duration.ofMinutes(1)));
        c.succeeded();
        assertThat(c.failed()).isFalse();
        assertThat(c.retryDue(NOW)).isTrue();
    }

    private HealthAction decide(Compute c, Optional<ComputeSpec> target, boolean desiredKnown, Instant now,
                                BooleanSupplier postmasterDown) {
        return HealthAction.decide(c, target, desiredKnown, now, postmasterDown);
    }

    private BooleanSupplier down() {
        return () -> {
            asked.incrementAndGet();
            return true;
        };
    }

    private BooleanSupplier up() {
        return () -> {
            asked.incrementAndGet();
            return false;
        };
    }

    private static Compute applied(ComputeSpec spec) {
        Compute c = new Compute(ID);
        c.applied = new AppliedCompute(spec, "15.18", 0, null);
        return c;
    }

    private static ComputeSpec spec(boolean running) {
        return TestSpecs.app().computeId(ID).running(running).build();
    }
}
