package io.stratus.agent.computes;

import java.util.Set;

import io.stratus.postgres.PostgresRelease;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Brings one compute to its spec, on the reconcile thread: idempotent ensure-steps, recorded in {@code compute.json}
 * only after all of them succeeded. A failure marks the compute failed, to be retried by the health pass with
 * backoff.
 *
 * <p>A compute whose last full application still holds ({@link #settled}) and whose spec changed in nothing but its
 * CU takes a short way: cgroup limits, the settings that follow CU and a reload; no catalog checks, no login probe,
 * never a restart. An unchanged compute costs a few file reads.
 */
final class SpecApplication {

    private static final Logger log = LoggerFactory.getLogger(SpecApplication.class);

    private final NodeBook book;
    private final ComputeSteps steps;
    private final AppliedComputes appliedStore;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final RestartSwitch restarts;

    SpecApplication(NodeBook book, ComputeSteps steps, AppliedComputes appliedStore,
                    ApplicationEventPublisher events, Clock clock, StartupsInFlight startups) {
        this.restarts = new RestartSwitch(book, startups);
        this.book = book;
        this.steps = steps;
        this.appliedStore = appliedStore;
        this.events = events;
        this.clock = clock;
    }

    /** Applies the spec to its compute (made known if new); a failure is recorded on the compute, never thrown. */
    void apply(ComputeSpec spec) {
        Compute c = book.getOrAdd(spec.computeId());
        try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
            if (c.status == null) {
                NodeBook.setStatus(c, book.status(c, ComputePhase.STARTING, null, false, null));
            }
            try {
                applySpec(c, spec);
                c.succeeded();
            } catch (ComputePending pending) {
                NodeBook.setStatus(c, book.status(c, ComputePhase.STARTING, null, false, pending.getMessage()));
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                Duration wait = c.attemptFailed(clock.instant());
                String message = e instanceof ComputeFailure ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
                log.warn("cannot bring compute to spec version {} (attempt {}, retry in {}): {}", spec.specVersion(),
                        c.failures, wait, message, e instanceof ComputeFailure ? null : e);
                NodeBook.setStatus(c, book.status(c, ComputePhase.FAILED, null, false, message));
            }
        }
    }

    private void applySpec(Compute c, ComputeSpec wanted) throws Exception {
        SqlText.validate(wanted);
        // A release (or settings) this compute was rolled back from is not tried again while the spec asks for it.
        ComputeSpec spec = RestartSwitch.withoutRefused(c, wanted);
        PostgresRelease release = steps.releaseFor(spec);
        AppliedCompute.Change change = c.applied == null ? AppliedCompute.Change.OTHER
                : c.applied.changeTo(spec, release.version());
        if (change != AppliedCompute.Change.NONE && c.applied != null && !c.applied.spec().equals(spec)) {
            c.note = null;
        }
        if (change != AppliedCompute.Change.OTHER && settled(c, spec, release, () -> c.cluster.isRunning())) {
            applyInPlace(c, spec, release, change);
        } else if (RestartSwitch.applies(c, spec, release)) {
            AppliedCompute before = c.applied;
            restarts.restart(c, spec, release, (target, targetRelease, check) -> applyInFull(c, target, targetRelease,
                    SpecFields.catalogAsApplied(before.spec(), target), check));
        } else {
            applyInFull(c, spec, release);
        }
    }

    /**
     * The compute is as its last full application left it: running and accepting logins (or stopped) as its spec says,
     * with the same binaries, and no failure since.
     *
     * @param postmasterUp whether its postmaster runs; a process check, so asked last
     */
    static boolean settled(Compute c, ComputeSpec spec, PostgresRelease release, BooleanSupplier postmasterUp) {
        ComputeStatus s = c.status;
        return !c.failed() && !c.startAfterAdoption && c.cluster != null && c.cluster.release().equals(release)
                && s != null && s.phase() == (spec.running() ? ComputePhase.RUNNING : ComputePhase.STOPPED)
                && s.acceptingLogins() == spec.running() && postmasterUp.getAsBoolean() == spec.running();
    }

    /**
     * Nothing but the CU (or nothing at all) changed on a settled compute: no catalog checks, no login probe, no
     * restart. Cgroup limits first, which is what makes a scale-up bite, then the settings that follow CU and a
     * reload. An unchanged compute only has its cgroup membership re-checked.
     */
    private void applyInPlace(Compute c, ComputeSpec spec, PostgresRelease release, AppliedCompute.Change change)
            throws Exception {
        if (!java.util.Objects.equals(c.applied.spec().storageLimitBytes(), spec.storageLimitBytes())
                || steps.mayBeReadOnly(c)) {
            // The limit changed (a quota, another database of the tenant): measured now, not at the next check. So is
            // a compute that may be read-only, so that what it reports (an adopted one's included) is what it is.
            StepResult.log(log, "ensureStorageLimit", steps.ensureStorageLimit(c, spec));
        }
        StepResult.log(log, "ensureCapacity", steps.ensureCapacity(c, ComputeConfig.effectiveCu(spec)));
        if (change == AppliedCompute.Change.CAPACITY
                && !SpecFields.changed(c.applied.spec(), spec).equals(Set.of("storageLimitBytes"))) {
            // A limit of its own moves whenever another database of the tenant grows: that needs no reload.
            StepResult.log(log, "ensureConfigured", steps.ensureConfigured(c, spec, true));
            if (c.cluster.isRunning() != spec.running()) {
                // A restart-only setting differed after all (the settings file was edited by hand): the long way.
                applyInFull(c, spec, release);
                return;
            }
        }
        recordApplied(c, spec, release, spec.running());
    }

    private void applyInFull(Compute c, ComputeSpec spec, PostgresRelease release) throws Exception {
        applyInFull(c, spec, release, false, null);
    }

    /**
     * @param catalogAsApplied the catalog (owner, database, roles) is known to be as this spec wants: only the release,
     *                         settings or capacity changed since it was applied in full (a planned restart)
     * @param check            a running compute's last check before it is recorded and published (a planned restart's
     *                         health check); null for none
     */
    private void applyInFull(Compute c, ComputeSpec spec, PostgresRelease release, boolean catalogAsApplied,
                             RestartSwitch.Check check) throws Exception {
        boolean unapplied = c.applied == null || !c.applied.matches(spec, release.version());
        BigDecimal cu = ComputeConfig.effectiveCu(spec);
        StepResult.log(log, "ensureDataDirectory", steps.ensureDataDirectory(c, spec, release));
        StepResult.log(log, "ensureConfigured", steps.ensureConfigured(c, spec, unapplied));
        boolean accepting = false;
        if (spec.running()) {
            StepResult.log(log, "ensureRunning", steps.ensureRunning(c));
            // The platform's own set-up first, at the host's full speed: CREATE DATABASE copies template1 through the
            // WAL, which took 3 s under a 0.25 CU quota and was most of the time to a first query. No tenant can
            // log in before the role exists, so no tenant work runs unlimited.
            if (!catalogAsApplied) {
                StepResult.log(log, "ensureOwnerRoleAndDatabase", steps.ensureOwnerRoleAndDatabase(c, spec));
            }
            // After the catalog work (which may have had to make a read-only compute writable) and before the cgroup
            // step (a restart into read-only starts a new postmaster, to be enrolled).
            StepResult.log(log, "ensureStorageLimit", steps.ensureStorageLimit(c, spec));
            StepResult.log(log, "ensureCapacity", steps.ensureCapacity(c, cu));
            LoginProbe.Result verified = steps.verify(c, spec);
            if (!verified.acceptingLogins()) {
                throw new ComputeFailure("owner cannot log in: " + verified.detail());
            }
            accepting = true;
            if (check != null) {
                // Before compute.json and the socket's publication: a target that fails it is never recorded as
                // applied (a crash now leaves the previous release on record) and never served.
                check.run(c.cluster, release);
            }
        } else {
            if (c.cluster.isRunning()) {
                events.publishEvent(new ComputeStopping(c.id, false));
            }
            StepResult.log(log, "ensureStopped", steps.ensureStopped(c));
            c.cuInForce = BigDecimal.ZERO;
            // Limits in place for when it resumes.
            StepResult.log(log, "ensureCapacity", steps.ensureCapacity(c, cu));
        }
        recordApplied(c, spec, release, accepting);
    }

    /** Records the spec as applied in full (compute.json first, so a crash before it makes the next pass redo it). */
    private void recordApplied(Compute c, ComputeSpec spec, PostgresRelease release, boolean accepting) {
        AppliedCompute applied = new AppliedCompute(spec, release.version(), c.restarts, c.refused);
        BigDecimal cu = ComputeConfig.effectiveCu(spec);
        if (!applied.equals(c.applied)) {
            appliedStore.write(applied);
            c.applied = applied;
            log.info("applied spec version {} ({}, {} CU, enforcement {})", spec.specVersion(),
                    spec.running() ? "running" : "stopped", cu.stripTrailingZeros().toPlainString(), c.enforcement);
        }
        // A stopped compute has no CU in force: it uses none and is granted none until it runs again.
        c.cuInForce = spec.running() ? cu : BigDecimal.ZERO;
        NodeBook.setStatus(c, book.status(c, spec.running() ? ComputePhase.RUNNING : ComputePhase.STOPPED,
                release.version(), accepting, spec.running() ? c.note : NodeBook.stoppedMessage(c)));
    }
}
