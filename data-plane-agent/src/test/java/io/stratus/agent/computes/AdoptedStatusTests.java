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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * How a compute found on disk is reported at adoption ({@link ComputeAdoption#adoptedStatus}), and what it leaves the
 * passes after it; the postmaster's state and the login probe are handed in.
 */
class AdoptedStatusTests {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final UUID ID = UUID.randomUUID();
    private static final PostgresRelease ON_DISK = new PostgresRelease("15.18", Path.of("/nonexistent/15/bin"), "host");

    private final List<Object> events = new ArrayList<>();
    private final NodeBook book = new NodeBook(events::add);
    private final List<String> asked = new ArrayList<>();

    @Test
    void aComputeNeverAppliedInFullIsStartingWithTheReleaseOnItsDisk() {
        Compute c = new Compute(ID);
        c.cluster = cluster();

        ComputeStatus s = adopted(c, up(), accepting());

        assertThat(s.phase()).isEqualTo(ComputePhase.STARTING);
        assertThat(s.specVersion()).isZero();
        assertThat(s.release()).isEqualTo("15.18");
        assertThat(s.acceptingLogins()).isFalse();
        assertThat(s.message()).isEqualTo("found on disk, never applied in full");
        assertThat(c.failed()).isFalse();
        assertThat(asked).isEmpty();
    }

    @Test
    void aComputeNoReleaseCanRunIsFailedWithItsRetryDueAtOnce() {
        Compute c = applied(true, 2);

        ComputeStatus s = adopted(c, up(), accepting());

        assertThat(s.phase()).isEqualTo(ComputePhase.FAILED);
        assertThat(s.release()).isEqualTo("15.18");
        assertThat(s.restarts()).isEqualTo(2);
        assertThat(s.message()).isEqualTo("no Postgres release on this node runs its data directory");
        assertThat(s.appliedCu()).isEqualByComparingTo("0");
        assertThat(c.failed()).isTrue();
        assertThat(c.retryDue(NOW)).isTrue();
        assertThat(asked).isEmpty();
    }

    @Test
    void aRunningComputeFoundStoppedIsStartingAndLeftToTheFirstHealthPass() {
        Compute c = applied(true, 0);
        c.cluster = cluster();

        ComputeStatus s = adopted(c, down(), accepting());

        assertThat(s.phase()).isEqualTo(ComputePhase.STARTING);
        assertThat(s.message()).isEqualTo("postmaster not running");
        assertThat(s.acceptingLogins()).isFalse();
        assertThat(c.startAfterAdoption).isTrue();
        assertThat(c.failed()).as("not a crash, nor a failure").isFalse();
        assertThat(c.restarts).isZero();
        assertThat(asked).containsExactly("postmaster");
    }

    @Test
    void aRunningComputeLeftRunningReportsWhatTheLoginProbeFound() {
        Compute c = applied(true, 1);
        c.cluster = cluster();
        c.cuInForce = new BigDecimal("1.5");

        ComputeStatus accepting = adopted(c, up(), accepting());
        ComputeStatus refusing = adopted(c, up(), () -> {
            asked.add("probe");
            return new LoginProbe.Result(false, "connection refused");
        });

        assertThat(accepting.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(accepting.acceptingLogins()).isTrue();
        assertThat(accepting.message()).isNull();
        assertThat(accepting.appliedCu()).isEqualByComparingTo("1.5");
        assertThat(accepting.specVersion()).isEqualTo(3);
        assertThat(accepting.restarts()).isEqualTo(1);
        assertThat(refusing.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(refusing.acceptingLogins()).isFalse();
        assertThat(refusing.message()).isEqualTo("connection refused");
        assertThat(c.startAfterAdoption).isFalse();
        assertThat(asked).containsExactly("postmaster", "probe", "postmaster", "probe");
    }

    @Test
    void aStoppedComputeWhosePostmasterRunsSaysSoAndIsNotProbed() {
        Compute c = applied(false, 0);
        c.cluster = cluster();
        c.cuInForce = BigDecimal.ONE;

        ComputeStatus s = adopted(c, up(), accepting());

        assertThat(s.phase()).isEqualTo(ComputePhase.RUNNING);
        assertThat(s.acceptingLogins()).isFalse();
        assertThat(s.message()).isEqualTo("running although stopped in its spec");
        assertThat(s.appliedCu()).isEqualByComparingTo("1");
        assertThat(asked).containsExactly("postmaster");
    }

    @Test
    void aStoppedComputeIsStoppedWithNoCu() {
        Compute c = applied(false, 0);
        c.cluster = cluster();
        c.cuInForce = BigDecimal.ONE;

        ComputeStatus stopped = adopted(c, down(), accepting());

        assertThat(stopped.phase()).isEqualTo(ComputePhase.STOPPED);
        assertThat(stopped.message()).isNull();
        assertThat(stopped.appliedCu()).as("a stopped compute has no CU in force").isEqualByComparingTo("0");
        assertThat(c.failed()).isFalse();
        assertThat(asked).containsExactly("postmaster");
    }

    private ComputeStatus adopted(Compute c, BooleanSupplier postmasterUp, Supplier<LoginProbe.Result> probe) {
        return ComputeAdoption.adoptedStatus(book, c, NOW, postmasterUp, probe);
    }

    private BooleanSupplier up() {
        return () -> {
            asked.add("postmaster");
            return true;
        };
    }

    private BooleanSupplier down() {
        return () -> {
            asked.add("postmaster");
            return false;
        };
    }

    private Supplier<LoginProbe.Result> accepting() {
        return () -> {
            asked.add("probe");
            return new LoginProbe.Result(true, "SCRAM-SHA-256 challenge");
        };
    }

    /** Never started: adoption reads its release only, the postmaster's state is handed in. */
    private static PostgresCluster cluster() {
        return new PostgresCluster(ON_DISK, Path.of("/nonexistent/pgdata"), null);
    }

    private static Compute applied(boolean running, int restarts) {
        Compute c = new Compute(ID);
        ComputeSpec spec = TestSpecs.app().computeId(ID).running(running).build();
        c.applied = new AppliedCompute(spec, "15.18", restarts, null);
        c.restarts = restarts;
        return c;
    }
}
