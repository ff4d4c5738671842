package io.stratus.agent.computes;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.AgentSettings;
import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.agent.capacity.CgroupException;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.agent.support.Backoff;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.postgres.SocketDirs;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.ComputeStatus;
import io.stratus.protocol.DesiredState;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Brings the computes on this host to the control plane's desired state, and keeps them there.
 *
 * <p>All work runs as passes on one thread, so passes never overlap: a desired state ({@link #apply}), a health check
 * ({@link #checkHealth}) that restarts crashed postmasters and retries failed computes with backoff, and adoption of
 * computes already on disk at start. A pass runs idempotent ensure-steps per compute and records what it applied in
 * {@code compute.json} only after all of them succeeded. Computes missing from the desired state are deleted, but
 * only once the control plane has spoken since start: an agent that cannot reach it deletes nothing.
 *
 * <p>A compute whose last full application still holds and whose spec changed in nothing but its CU takes a short
 * way: cgroup limits, the settings that follow CU and a reload; no catalog checks, no login probe, never a restart.
 * An unchanged compute costs a few file reads per pass. For a running compute in its cgroup the new limits are even
 * written on the caller's thread when the desired state arrives ({@link #apply}), so a scale-up takes effect while
 * a slow pass (a provisioning, a restart) still holds the reconcile thread.
 *
 * <p>Stopping (context close, SIGTERM) stops every postmaster; a killed agent leaves them running, and the next start
 * adopts them without restarting them.
 */
@Component
public class ComputeReconciler implements SmartLifecycle {

    /** Lifecycle phase: started first (adoption), stopped last (after nothing can ask for more work). */
    public static final int PHASE = 0;

    private static final Logger log = LoggerFactory.getLogger(ComputeReconciler.class);
    private static final Duration RETRY_INITIAL = Duration.ofSeconds(1);
    private static final Duration RETRY_MAX = Duration.ofMinutes(1);
    /** A pass may be in initdb or pg_ctl; both have their own timeouts well below this. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);
    static final String RESTARTED_AFTER_CRASH = "restarted after crash";

    private final String address;
    private final AgentPaths paths;
    private final ReleaseCatalog releases;
    private final OsUser user;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final AppliedComputes appliedStore;
    private final ComputeSteps steps;
    private final CgroupDriver cgroups;
    private final PortKeeper ports;

    /** Mutated on the reconcile thread only; read by {@link #observe()} from any thread. */
    private final Map<UUID, Compute> computes = new ConcurrentHashMap<>();
    private final AtomicReference<DesiredState> latestRequested = new AtomicReference<>();
    private volatile ExecutorService executor;
    /** The last desired state a pass took up; null until the control plane has spoken since start. */
    private volatile DesiredState desired;
    private volatile long observedGeneration;
    private volatile long reconciledGeneration;
    private NodeObservation lastPublished;

    public ComputeReconciler(AgentSettings settings, AgentPaths paths, ReleaseCatalog releases, WarmPool pool,
                             OsUser user, CgroupDriver cgroups, JsonMapper json, Clock clock,
                             ApplicationEventPublisher events) {
        this.address = settings.address();
        this.paths = paths;
        this.releases = releases;
        this.user = user;
        this.clock = clock;
        this.events = events;
        this.appliedStore = new AppliedComputes(paths, json);
        this.cgroups = cgroups;
        this.ports = new PortKeeper(settings.address());
        this.steps = new ComputeSteps(settings.address(), paths, releases, pool, user, new OwnerAccess(), new LoginProbe(),
                cgroups, settings.capacityUnit(), ports);
    }

    /** Starts the reconcile thread and adopts the computes on disk; returns once they are known. */
    @Override
    public void start() {
        if (executor != null) {
            return;
        }
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "reconciler");
            t.setDaemon(true);
            return t;
        });
        submit("adopt", this::adopt).join();
        checkHealth();
    }

    /**
     * Finishes the pass in progress, then stops every postmaster (fast shutdown: sessions are disconnected) and removes
     * its cgroup.
     */
    @Override
    public void stop() {
        ExecutorService e = executor;
        if (e == null) {
            return;
        }
        executor = null;
        e.shutdown();
        try {
            if (!e.awaitTermination(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("a reconcile pass did not finish within {}; stopping computes anyway", DRAIN_TIMEOUT);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        for (Compute c : computes.values()) {
            try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
                if (c.cluster != null && c.cluster.isRunning()) {
                    c.cluster.stop();
                    log.info("stopped postmaster on agent shutdown");
                }
                // An empty group would outlive the agent on the host; the next start makes it again when it starts
                // the compute.
                steps.removeCapacity(c.id);
            } catch (RuntimeException ex) {
                log.warn("cannot stop compute on shutdown: {}", ex.getMessage());
            }
        }
        cgroups.removeParentIfEmpty();
        ports.close();
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * Queues a pass for this desired state. Passes coalesce: when a newer state arrives before this one's pass starts,
     * only the newer one is applied.
     *
     * @return completes with the observation after the pass
     */
    public CompletableFuture<NodeObservation> apply(DesiredState state) {
        latestRequested.set(state);
        preApplyCapacity(state);
        return submit("desired state " + state.generation(), () -> {
            if (latestRequested.get() == state) {
                reconcile(state);
            }
        });
    }

    /** Queues a health pass: restart crashed postmasters, retry failed computes whose backoff has passed. */
    public CompletableFuture<NodeObservation> checkHealth() {
        return submit("health", this::healthPass);
    }

    /** The computes whose postmaster is up, as last published by the reconcile thread; safe from any thread. */
    public List<RunningCompute> running() {
        return computes.values().stream().map(c -> c.running).filter(r -> r != null)
                .sorted(Comparator.comparing(RunningCompute::computeId)).toList();
    }

    /** How CU is enforced on this host: {@code cgroup-v2}, {@code cgroup-v1} or {@code none}. */
    public String enforcement() {
        return cgroups.enforcement();
    }

    /**
     * The quick path for a CU change, on the caller's thread: a running compute already in its cgroup gets the new
     * limits now, since the pass that applies the change in full may wait behind a slow one. Only limits, and only
     * into an existing group; the pass then finds them in place and does the rest (settings, reload, record). A pass
     * of an older state cannot write the old limits back afterwards: it stops at the next compute once a newer state
     * has been requested.
     */
    private void preApplyCapacity(DesiredState state) {
        if (!cgroups.enforces()) {
            return;
        }
        for (ComputeSpec spec : state.computes()) {
            Compute c = computes.get(spec.computeId());
            RunningCompute running = c != null ? c.running : null;
            if (running == null || !running.inCgroup() || !spec.running()) {
                continue;
            }
            BigDecimal cu = ComputeConfig.effectiveCu(spec);
            if (cu.compareTo(running.appliedCu()) == 0) {
                continue;
            }
            try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
                if (steps.preApplyCapacity(c.id, cu)) {
                    log.info("cgroup limits for {} CU written ahead of the pass (was {} CU)",
                            cu.stripTrailingZeros().toPlainString(), running.appliedCu().stripTrailingZeros().toPlainString());
                }
            } catch (CgroupException e) {
                // The pass tries again and reports it.
                log.debug("cannot write limits ahead of the pass: {}", e.getMessage());
            }
        }
    }

    /** Every compute's status and the generations reconciled fully and passed through; safe from any thread. */
    public NodeObservation observe() {
        List<ComputeStatus> statuses = computes.values().stream().map(c -> c.status).filter(s -> s != null)
                .sorted(Comparator.comparing(ComputeStatus::computeId)).toList();
        return new NodeObservation(observedGeneration, statuses, reconciledGeneration);
    }

    private CompletableFuture<NodeObservation> submit(String what, Runnable pass) {
        ExecutorService e = executor;
        if (e == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("reconciler is not running"));
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    pass.run();
                } catch (RuntimeException ex) {
                    log.error("{} pass failed", what, ex);
                }
                return publishIfChanged();
            }, e);
        } catch (RejectedExecutionException ex) {
            return CompletableFuture.failedFuture(new IllegalStateException("reconciler is stopping"));
        }
    }

    // ---- passes (reconcile thread only) ----

    private void reconcile(DesiredState state) {
        desired = state;
        long started = System.nanoTime();
        for (ComputeSpec spec : state.computes()) {
            if (latestRequested.get() != state) {
                // A newer state is queued right behind this pass and decides everything again.
                log.debug("generation {} superseded mid-pass", state.generation());
                return;
            }
            reconcileCompute(spec);
        }
        Set<UUID> wanted = state.computes().stream().map(ComputeSpec::computeId).collect(Collectors.toSet());
        for (Compute c : List.copyOf(computes.values())) {
            if (!wanted.contains(c.id)) {
                delete(c);
            }
        }
        updateObservedGeneration();
        // Every compute was tried and every unwanted one deleted (or still listed, failed): what the control plane needs
        // to finish deletions, which one failing compute must not hold back.
        reconciledGeneration = Math.max(reconciledGeneration, state.generation());
        log.info("reconciled generation {} ({} computes) in {} ms", state.generation(), state.computes().size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private void healthPass() {
        DesiredState state = desired;
        for (Compute c : List.copyOf(computes.values())) {
            Optional<ComputeSpec> target = targetSpec(c, state);
            if (target.isEmpty()) {
                if (state != null && c.failed() && c.retryDue(clock.instant())) {
                    delete(c);
                }
                continue;
            }
            if (c.failed()) {
                if (c.retryDue(clock.instant())) {
                    reconcileCompute(target.get());
                }
            } else if (c.startAfterAdoption) {
                c.startAfterAdoption = false;
                reconcileCompute(target.get());
            } else if (crashed(c, target.get())) {
                try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
                    c.restarts++;
                    c.note = RESTARTED_AFTER_CRASH;
                    log.warn("postmaster is gone; restarting it (restart #{})", c.restarts);
                    c.cuInForce = BigDecimal.ZERO;
                    if (c.applied != null) {
                        // Count it before the attempt: a crash loop must show, even if the restart itself fails.
                        c.applied = c.applied.withRestarts(c.restarts);
                        appliedStore.write(c.applied);
                    }
                }
                reconcileCompute(target.get());
            } else if (c.applied != null && c.applied.spec().running() && target.get().running()) {
                checkEnrolled(c);
            } else if (c.portProblem != null && stoppedAsApplied(c, target.get())) {
                keepPort(c, c.applied.spec().port());
            }
        }
        if (state != null) {
            updateObservedGeneration();
        }
    }

    /**
     * A running compute's processes are in its cgroup: adopted computes get enrolled here, and so does a postmaster
     * someone restarted by hand. A failure does not fail the compute (it keeps serving); its status says {@code none}.
     */
    private void checkEnrolled(Compute c) {
        String before = c.enforcement;
        try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
            BigDecimal cu = c.cuInForce != null && c.cuInForce.signum() > 0 ? c.cuInForce
                    : ComputeConfig.effectiveCu(c.applied.spec());
            logStep("ensureEnrolled", steps.ensureEnrolled(c, cu));
            c.enforcementProblem = null;
        } catch (ComputeFailure e) {
            if (!e.getMessage().equals(c.enforcementProblem)) {
                log.warn("{}; CU not enforced for now", e.getMessage());
            }
            c.enforcementProblem = e.getMessage();
        }
        if (!c.enforcement.equals(before) && c.status != null) {
            setStatus(c, c.status.withEnforcement(c.enforcement));
        }
    }

    /**
     * Keeps a stopped compute's port bound ({@link PortKeeper}). A port another process took first does not fail the
     * compute (it is stopped as asked): its status says so, the health pass tries again, and it is logged once.
     */
    private void keepPort(Compute c, int port) {
        String before = c.portProblem;
        try {
            logStep("ensurePortKept", steps.ensurePortKept(c, port));
            c.portProblem = null;
        } catch (ComputeFailure e) {
            c.portProblem = e.getMessage();
            if (!e.getMessage().equals(before)) {
                log.warn("{}", e.getMessage());
            }
        }
        if (!Objects.equals(before, c.portProblem) && c.status != null
                && c.status.phase() == ComputePhase.STOPPED) {
            setStatus(c, c.status.withMessage(stoppedMessage(c)));
        }
    }

    private static boolean stoppedAsApplied(Compute c, ComputeSpec target) {
        return c.applied != null && !c.applied.spec().running() && !target.running() && c.cluster != null
                && !c.cluster.isRunning();
    }

    /** A stopped compute's status message: a port it cannot resume on matters more than a note from before. */
    private static String stoppedMessage(Compute c) {
        return c.portProblem != null ? c.portProblem : c.note;
    }

    private boolean crashed(Compute c, ComputeSpec target) {
        return c.applied != null && c.applied.spec().running() && target.running() && c.cluster != null
                && !c.cluster.isRunning();
    }

    /** The spec a compute should follow: the control plane's when it has spoken, else the one last applied. */
    private Optional<ComputeSpec> targetSpec(Compute c, DesiredState state) {
        if (state != null) {
            return state.computes().stream().filter(s -> s.computeId().equals(c.id)).findFirst();
        }
        return Optional.ofNullable(c.applied).map(AppliedCompute::spec);
    }

    private void reconcileCompute(ComputeSpec spec) {
        Compute c = computes.computeIfAbsent(spec.computeId(), Compute::new);
        try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
            if (c.status == null) {
                setStatus(c, status(c, ComputePhase.STARTING, spec.port(), null, false, null));
            }
            try {
                applySpec(c, spec);
                c.succeeded();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                c.failures++;
                Duration wait = Backoff.delayAfter(c.failures, RETRY_INITIAL, RETRY_MAX);
                c.nextAttempt = clock.instant().plus(wait);
                String message = e instanceof ComputeFailure ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
                log.warn("cannot bring compute to spec version {} (attempt {}, retry in {}): {}", spec.specVersion(),
                        c.failures, wait, message, e instanceof ComputeFailure ? null : e);
                setStatus(c, status(c, ComputePhase.FAILED, portOf(c, spec), null, false, message));
            }
        }
    }

    private void applySpec(Compute c, ComputeSpec spec) throws Exception {
        SqlText.validate(spec);
        PostgresRelease release = steps.releaseFor(spec);
        AppliedCompute.Change change = c.applied == null ? AppliedCompute.Change.OTHER
                : c.applied.changeTo(spec, release.version());
        if (change != AppliedCompute.Change.NONE && c.applied != null && !c.applied.spec().equals(spec)) {
            c.note = null;
        }
        if (change != AppliedCompute.Change.OTHER && settled(c, spec, release)) {
            applyInPlace(c, spec, release, change);
        } else {
            applyInFull(c, spec, release);
        }
    }

    /**
     * The compute is as its last full application left it: running and accepting logins (or stopped) as its spec says,
     * with the same binaries, and no failure since.
     */
    private static boolean settled(Compute c, ComputeSpec spec, PostgresRelease release) {
        ComputeStatus s = c.status;
        return !c.failed() && !c.startAfterAdoption && c.cluster != null && c.cluster.release().equals(release)
                && s != null && s.phase() == (spec.running() ? ComputePhase.RUNNING : ComputePhase.STOPPED)
                && s.acceptingLogins() == spec.running() && c.cluster.isRunning() == spec.running();
    }

    /**
     * Nothing but the CU (or nothing at all) changed on a settled compute: no catalog checks, no login probe, no
     * restart. Cgroup limits first, which is what makes a scale-up bite, then the settings that follow CU and a
     * reload. An unchanged compute only has its cgroup membership re-checked.
     */
    private void applyInPlace(Compute c, ComputeSpec spec, PostgresRelease release, AppliedCompute.Change change)
            throws Exception {
        logStep("ensureCapacity", steps.ensureCapacity(c, ComputeConfig.effectiveCu(spec)));
        if (change == AppliedCompute.Change.CAPACITY) {
            logStep("ensureConfigured", steps.ensureConfigured(c, spec, true));
            if (c.cluster.isRunning() != spec.running()) {
                // A restart-only setting differed after all (the settings file was edited by hand): the long way.
                applyInFull(c, spec, release);
                return;
            }
        }
        if (!spec.running()) {
            keepPort(c, spec.port());
        }
        recordApplied(c, spec, release, spec.running());
    }

    private void applyInFull(Compute c, ComputeSpec spec, PostgresRelease release) throws Exception {
        boolean unapplied = c.applied == null || !c.applied.matches(spec, release.version());
        BigDecimal cu = ComputeConfig.effectiveCu(spec);
        logStep("ensureDataDirectory", steps.ensureDataDirectory(c, spec, release));
        logStep("ensureConfigured", steps.ensureConfigured(c, spec, unapplied));
        boolean accepting = false;
        if (spec.running()) {
            logStep("ensureRunning", steps.ensureRunning(c));
            // The platform's own set-up first, at the host's full speed: CREATE DATABASE copies template1 through the
            // WAL, which took 3 s under a 0.25 CU quota and was most of the time to a first query. No tenant can
            // log in before the role exists, so no tenant work runs unlimited.
            logStep("ensureOwnerRoleAndDatabase", steps.ensureOwnerRoleAndDatabase(c, spec));
            logStep("ensureCapacity", steps.ensureCapacity(c, cu));
            LoginProbe.Result verified = steps.verify(c, spec);
            if (!verified.acceptingLogins()) {
                throw new ComputeFailure("owner cannot log in: " + verified.detail());
            }
            accepting = true;
        } else {
            if (c.cluster.isRunning()) {
                events.publishEvent(new ComputeStopping(c.id, false));
            }
            logStep("ensureStopped", steps.ensureStopped(c));
            keepPort(c, spec.port());
            c.cuInForce = BigDecimal.ZERO;
            // Limits in place for when it resumes.
            logStep("ensureCapacity", steps.ensureCapacity(c, cu));
        }
        recordApplied(c, spec, release, accepting);
    }

    /** Records the spec as applied in full (compute.json first, so a crash before it makes the next pass redo it). */
    private void recordApplied(Compute c, ComputeSpec spec, PostgresRelease release, boolean accepting) {
        AppliedCompute applied = new AppliedCompute(spec, release.version(), c.restarts);
        BigDecimal cu = ComputeConfig.effectiveCu(spec);
        if (!applied.equals(c.applied)) {
            appliedStore.write(applied);
            c.applied = applied;
            log.info("applied spec version {} ({}, {} CU, enforcement {})", spec.specVersion(),
                    spec.running() ? "running" : "stopped", cu.stripTrailingZeros().toPlainString(), c.enforcement);
        }
        // A stopped compute has no CU in force: it uses none and is granted none until it runs again.
        c.cuInForce = spec.running() ? cu : BigDecimal.ZERO;
        setStatus(c, status(c, spec.running() ? ComputePhase.RUNNING : ComputePhase.STOPPED, spec.port(),
                release.version(), accepting, spec.running() ? c.note : stoppedMessage(c)));
    }

    private void delete(Compute c) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
            try {
                Path computeDir = paths.compute(c.id);
                events.publishEvent(new ComputeStopping(c.id, true));
                PostgresCluster cluster = c.cluster != null ? c.cluster : clusterFromDisk(c.id).orElse(null);
                if (cluster != null) {
                    cluster.destroy();
                }
                c.running = null;
                steps.releasePort(c);
                logStep("removeCapacity", steps.removeCapacity(c.id));
                PostgresCluster.deleteRecursively(computeDir);
                PostgresCluster.deleteRecursively(SocketDirs.forData(computeDir));
                computes.remove(c.id);
                logStep("delete", new StepResult.Deleted("compute and its data"));
            } catch (RuntimeException e) {
                c.failures++;
                Duration wait = Backoff.delayAfter(c.failures, RETRY_INITIAL, RETRY_MAX);
                c.nextAttempt = clock.instant().plus(wait);
                log.warn("cannot delete compute (attempt {}, retry in {}): {}", c.failures, wait, e.getMessage());
                setStatus(c, status(c, ComputePhase.FAILED, c.status != null ? c.status.port() : 0, null, false,
                        "cannot delete: " + e.getMessage()));
            }
        }
    }

    /** Knows every compute on disk before the control plane speaks, and reports them from compute.json at once. */
    private void adopt() {
        for (Path dir : computeDirs()) {
            UUID id = UUID.fromString(dir.getFileName().toString());
            Compute c = new Compute(id);
            try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", id.toString())) {
                c.applied = appliedStore.read(id).orElse(null);
                c.restarts = c.applied != null ? c.applied.restarts() : 0;
                c.cluster = clusterFromDisk(id).orElse(null);
                if (c.applied != null && c.cluster != null && c.cluster.isRunning()) {
                    // Its settings files say what the last agent applied; the health pass checks its cgroup.
                    c.cuInForce = ComputeConfig.effectiveCu(c.applied.spec());
                }
                if (c.applied != null && stoppedAsApplied(c, c.applied.spec())) {
                    keepPort(c, c.applied.spec().port());
                }
                setStatus(c, adoptedStatus(c));
                computes.put(id, c);
                log.info("adopted compute: {} {}", c.status.phase(),
                        c.cluster != null && c.cluster.isRunning() ? "(postmaster " + c.cluster.postmasterPid().orElse(0L) + " left running)" : "");
            }
        }
        removeOrphanedCgroups();
    }

    /** Groups of computes that are gone from disk: a crash mid-delete, or a probe interrupted at start. */
    private void removeOrphanedCgroups() {
        for (UUID id : cgroups.groups()) {
            if (!computes.containsKey(id)) {
                try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", id.toString())) {
                    logStep("removeOrphanedCgroup", steps.removeCapacity(id));
                } catch (ComputeFailure e) {
                    log.warn("cannot remove orphaned cgroup: {}", e.getMessage());
                }
            }
        }
    }

    private ComputeStatus adoptedStatus(Compute c) {
        if (c.applied == null) {
            return status(c, ComputePhase.STARTING, 0, null, false, "found on disk, never applied in full");
        }
        ComputeSpec spec = c.applied.spec();
        if (c.cluster == null) {
            c.failures = 1;
            c.nextAttempt = clock.instant();
            return status(c, ComputePhase.FAILED, spec.port(), c.applied.release(), false,
                    "no Postgres release on this node runs its data directory");
        }
        boolean running = c.cluster.isRunning();
        if (spec.running()) {
            if (!running) {
                c.startAfterAdoption = true;
                return status(c, ComputePhase.STARTING, spec.port(), c.applied.release(), false, "postmaster not running");
            }
            LoginProbe.Result probe = steps.probe(spec);
            return status(c, ComputePhase.RUNNING, spec.port(), c.applied.release(), probe.acceptingLogins(),
                    probe.acceptingLogins() ? null : probe.detail());
        }
        return status(c, running ? ComputePhase.RUNNING : ComputePhase.STOPPED, spec.port(), c.applied.release(), false,
                running ? "running although stopped in its spec" : c.portProblem);
    }

    /** The cluster in computes/<id>/pgdata, run by the release it was applied with, or any of its major. */
    private Optional<PostgresCluster> clusterFromDisk(UUID id) {
        Optional<PostgresRelease> release = Optional.empty();
        Compute known = computes.get(id);
        AppliedCompute applied = known != null ? known.applied : appliedStore.read(id).orElse(null);
        if (applied != null) {
            release = releases.find(applied.release()).filter(r -> r.version().equals(applied.release()));
        }
        if (release.isEmpty()) {
            OptionalInt major = ComputeSteps.majorOnDisk(paths.pgdata(id));
            if (major.isPresent()) {
                release = releases.find(String.valueOf(major.getAsInt()));
            }
        }
        return release.map(r -> new PostgresCluster(r, paths.pgdata(id), user));
    }

    private List<Path> computeDirs() {
        if (!Files.isDirectory(paths.computes())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(paths.computes())) {
            return s.filter(Files::isDirectory).filter(p -> isUuid(p.getFileName().toString())).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + paths.computes(), e);
        }
    }

    private void updateObservedGeneration() {
        DesiredState state = desired;
        if (state == null) {
            return;
        }
        boolean full = computes.keySet().equals(
                state.computes().stream().map(ComputeSpec::computeId).collect(Collectors.toSet()))
                && state.computes().stream().allMatch(spec -> {
                    Compute c = computes.get(spec.computeId());
                    return !c.failed() && c.applied != null && AppliedCompute.equivalent(c.applied.spec(), spec);
                });
        if (full) {
            observedGeneration = state.generation();
        }
    }

    private NodeObservation publishIfChanged() {
        NodeObservation now = observe();
        if (!now.equals(lastPublished)) {
            lastPublished = now;
            events.publishEvent(new ComputesChanged(now));
        }
        return now;
    }

    private ComputeStatus status(Compute c, ComputePhase phase, int port, String release, boolean accepting, String message) {
        String version = release != null ? release : c.applied != null ? c.applied.release()
                : c.cluster != null ? c.cluster.release().version() : null;
        long specVersion = c.applied != null ? c.applied.spec().specVersion() : 0;
        // CU is in force only while a postmaster runs: a stopped (suspended) compute reports 0.
        boolean up = phase == ComputePhase.RUNNING
                || (phase == ComputePhase.FAILED && c.cluster != null && c.cluster.isRunning());
        BigDecimal appliedCu = up && c.cuInForce != null ? c.cuInForce : BigDecimal.ZERO;
        return new ComputeStatus(c.id, phase, specVersion, address, port, version, accepting, c.restarts, message,
                appliedCu, c.enforcement);
    }

    /** Sets the status, and the snapshot the metrics sampler reads: present while CU is in force. */
    private static void setStatus(Compute c, ComputeStatus status) {
        c.status = status;
        c.running = status.appliedCu().signum() > 0 && c.cluster != null && c.applied != null
                ? new RunningCompute(c.id, c.applied.spec().databaseName(), c.cluster, status.appliedCu(),
                        status.enforcement())
                : null;
    }

    private static int portOf(Compute c, ComputeSpec spec) {
        return c.applied != null ? c.applied.spec().port() : spec.port();
    }

    private static void logStep(String step, StepResult result) {
        if (result.acted()) {
            log.info("{}: {}", step, result.what());
        } else {
            log.debug("{}: unchanged", step);
        }
    }

    private static boolean isUuid(String s) {
        try {
            return UUID.fromString(s).toString().equals(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
