package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** When a compute may take the short way for a CU change ({@link SpecApplication#settled}): no postmaster involved. */
class SettledTests {

    private static final UUID ID = UUID.randomUUID();
    private static final PostgresRelease RELEASE = new PostgresRelease("15.18", Path.of("/nonexistent/15/bin"), "host");
    private static final PostgresRelease OTHER_RELEASE =
            new PostgresRelease("15.19", Path.of("/nonexistent/15.19/bin"), "host");
    private static final ComputeSpec RUNNING = spec(true);
    private static final ComputeSpec STOPPED = spec(false);

    private final AtomicInteger asked = new AtomicInteger();

    @Test
    void aRunningComputeAcceptingLoginsOnTheSameBinariesIsSettled() {
        assertThat(settled(compute(ComputePhase.RUNNING, true), RUNNING, RELEASE, up())).isTrue();
    }

    @Test
    void aStoppedComputeWithoutPostmasterIsSettled() {
        assertThat(settled(compute(ComputePhase.STOPPED, false), STOPPED, RELEASE, down())).isTrue();
    }

    @Test
    void aFailureSinceOrAPendingStartAfterAdoptionTakesTheLongWay() {
        Compute failed = compute(ComputePhase.RUNNING, true);
        failed.attemptFailed(Instant.EPOCH);
        Compute toStart = compute(ComputePhase.RUNNING, true);
        toStart.startAfterAdoption = true;

        assertThat(settled(failed, RUNNING, RELEASE, up())).isFalse();
        assertThat(settled(toStart, RUNNING, RELEASE, up())).isFalse();
        assertThat(asked).as("no process check when the book already says no").hasValue(0);
    }

    @Test
    void otherBinariesOrNoneTakeTheLongWay() {
        Compute withoutCluster = compute(ComputePhase.RUNNING, true);
        withoutCluster.cluster = null;

        assertThat(settled(compute(ComputePhase.RUNNING, true), RUNNING, OTHER_RELEASE, up())).isFalse();
        assertThat(settled(withoutCluster, RUNNING, RELEASE, up())).isFalse();
        assertThat(asked).hasValue(0);
    }

    @Test
    void aStatusOtherThanTheSpecAsksForTakesTheLongWay() {
        Compute noStatus = compute(ComputePhase.RUNNING, true);
        noStatus.status = null;

        assertThat(settled(noStatus, RUNNING, RELEASE, up())).isFalse();
        assertThat(settled(compute(ComputePhase.STARTING, false), RUNNING, RELEASE, up())).isFalse();
        assertThat(settled(compute(ComputePhase.RUNNING, false), RUNNING, RELEASE, up()))
                .as("running but not accepting logins").isFalse();
        assertThat(settled(compute(ComputePhase.RUNNING, true), STOPPED, RELEASE, up()))
                .as("running, to be stopped").isFalse();
        assertThat(settled(compute(ComputePhase.STOPPED, false), RUNNING, RELEASE, down()))
                .as("stopped, to run").isFalse();
        assertThat(asked).hasValue(0);
    }

    @Test
    void aPostmasterThatIsNotAsTheStatusSaysTakesTheLongWay() {
        assertThat(settled(compute(ComputePhase.RUNNING, true), RUNNING, RELEASE, down())).as("crashed since").isFalse();
        assertThat(settled(compute(ComputePhase.STOPPED, false), STOPPED, RELEASE, up())).as("started by hand").isFalse();
        assertThat(asked).hasValue(2);
    }

    private static boolean settled(Compute c, ComputeSpec spec, PostgresRelease release, BooleanSupplier postmasterUp) {
        return SpecApplication.settled(c, spec, release, postmasterUp);
    }

    private BooleanSupplier up() {
        return () -> {
            asked.incrementAndGet();
            return true;
        };
    }

    private BooleanSupplier down() {
        return () -> {
            asked.incrementAndGet();
            return false;
        };
    }

    private static Compute compute(ComputePhase phase, boolean accepting) {
        Compute c = new Compute(ID);
        // Never started: the decision reads its release only.
        c.cluster = new PostgresCluster(RELEASE, Path.of("/nonexistent/pgdata"), null);
        c.applied = new AppliedCompute(RUNNING, RELEASE.version(), 0, null);
        c.status = new ComputeStatus(ID, phase, 3, RELEASE.version(), accepting, 0, null,
                BigDecimal.ONE, "none");
        return c;
    }

    private static ComputeSpec spec(boolean running) {
        return TestSpecs.app().computeId(ID).running(running).build();
    }
}
