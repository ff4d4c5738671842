package io.stratus.agent.computes;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.AgentSettings;
import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.agent.capacity.CgroupException;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.DesiredState;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Brings the computes on this host to the control plane's desired state, and keeps them there.
 *
 * <p>All work runs as passes on one thread, so passes never overlap: a desired state ({@link #apply}), a health check
 * ({@link #checkHealth}, {@link HealthPass}) that restarts crashed postmasters and retries failed computes with
 * backoff, and adoption of computes already on disk at start ({@link ComputeAdoption}). A pass runs idempotent
 * ensure-steps per compute and records what it applied in {@code compute.json} only after all of them succeeded
 * ({@link SpecApplication}). Computes missing from the desired state are deleted ({@link ComputeDeletion}), but only
 * once the control plane has spoken since start: an agent that cannot reach it deletes nothing. What the passes
 * found is kept and published by the {@link NodeBook}.
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
    /** A pass may be in initdb or pg_ctl; both have their own timeouts well below this. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);

    private final CgroupDriver cgroups;
    private final ComputeSteps steps;
    private final NodeBook book;
    private final ComputeAdoption adoption;
    private final SpecApplication application;
    private final ComputeDeletion deletion;
    private final HealthPass health;
    private final StoragePass storage;

    private final AtomicReference<DesiredState> latestRequested = new AtomicReference<>();
    private volatile ExecutorService executor;

    public ComputeReconciler(AgentSettings settings, AgentPaths paths, ReleaseCatalog releases, WarmPool pool,
                             OsUser user, CgroupDriver cgroups, JsonMapper json, Clock clock,
                             ApplicationEventPublisher events) {
        this(settings, paths, releases, pool, user, cgroups, json, clock, events, ComputeBackups.NONE,
                StartupsInFlight.NONE);
    }

    public ComputeReconciler(AgentSettings settings, AgentPaths paths, ReleaseCatalog releases, WarmPool pool,
                             OsUser user, CgroupDriver cgroups, JsonMapper json, Clock clock,
                             ApplicationEventPublisher events, ComputeBackups backups) {
        this(settings, paths, releases, pool, user, cgroups, json, clock, events, backups, StartupsInFlight.NONE);
    }

    public ComputeReconciler(AgentSettings settings, AgentPaths paths, ReleaseCatalog releases, WarmPool pool,
                             OsUser user, CgroupDriver cgroups, JsonMapper json, Clock clock,
                             ApplicationEventPublisher events, StartupsInFlight startups) {
        this(settings, paths, releases, pool, user, cgroups, json, clock, events, ComputeBackups.NONE, startups);
    }

    /**
     * @param backups  WAL archiving settings and restored data directories (the backups feature)
     * @param startups the front door's connections in their startup, which a planned restart waits for
     */
    @Autowired
    public ComputeReconciler(AgentSettings settings, AgentPaths paths, ReleaseCatalog releases, WarmPool pool,
                             OsUser user, CgroupDriver cgroups, JsonMapper json, Clock clock,
                             ApplicationEventPublisher events, ComputeBackups backups, StartupsInFlight startups) {
        AppliedComputes appliedStore = new AppliedComputes(paths, json);
        this.cgroups = cgroups;
        this.steps = new ComputeSteps(paths, releases, pool, user, new OwnerAccess(), new LoginProbe(), cgroups,
                settings.capacityUnit(), backups, this::reconcileAgain);
        this.book = new NodeBook(events);
        ComputesOnDisk disk = new ComputesOnDisk(paths, releases, user, appliedStore);
        this.adoption = new ComputeAdoption(book, disk, appliedStore, steps, cgroups, clock);
        this.application = new SpecApplication(book, steps, appliedStore, events, clock, startups);
        this.deletion = new ComputeDeletion(book, steps, disk, paths, events, clock);
        this.health = new HealthPass(book, application, deletion, steps, appliedStore, clock);
        this.storage = new StoragePass(book, steps);
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
        submit("adopt", adoption::adopt).join();
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
        for (Compute c : book.computes()) {
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

    /**
     * Queues a pass of the latest desired state again: something a pass waited for (a restore in the background) has
     * ended, and the computes that waited on it go on.
     */
    private void reconcileAgain() {
        DesiredState state = latestRequested.get();
        if (state != null) {
            submit("desired state " + state.generation() + " again", () -> {
                if (latestRequested.get() == state) {
                    reconcile(state);
                }
            });
        }
    }

    /** Queues a health pass: restart crashed postmasters, retry failed computes whose backoff has passed. */
    public CompletableFuture<NodeObservation> checkHealth() {
        return submit("health", health::run);
    }

    /** Queues a storage check: every running compute held to its storage limit ({@link StoragePass}). */
    public CompletableFuture<NodeObservation> checkStorage() {
        return submit("storage", storage::run);
    }

    /** The computes whose postmaster is up, as last published by the reconcile thread; safe from any thread. */
    public List<RunningCompute> running() {
        return book.running();
    }

    /** The compute's postmaster, when it is on this node and up (applied and running); safe from any thread. */
    public Optional<RunningCompute> running(UUID computeId) {
        Compute c = book.get(computeId);
        return c == null ? Optional.empty() : Optional.ofNullable(c.running);
    }

    /**
     * The compute's last planned restart onto a release or settings (a rolling update's), as this agent saw it since
     * it started; safe from any thread.
     */
    public Optional<RestartOutcome> lastRestart(UUID computeId) {
        Compute c = book.get(computeId);
        RestartSwitch.Outcome o = c == null ? null : c.lastSwitch;
        return o == null ? Optional.empty() : Optional.of(new RestartOutcome(o.specVersion(), o.fromRelease(),
                o.toRelease(), o.runningRelease(), o.heldMillis(), o.error()));
    }

    /**
     * A planned restart as it went (see {@link RestartSwitch}).
     *
     * @param heldMillis how long new connections were held for it
     * @param error      why it was rolled back onto {@code runningRelease}; null when it went through
     */
    public record RestartOutcome(long specVersion, String fromRelease, String toRelease, String runningRelease,
                                 long heldMillis, String error) {
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
            Compute c = book.get(spec.computeId());
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
        return book.observe();
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
                } catch (Error ex) {
                    // Would vanish into the future otherwise (no caller waits on most of them): say so, then give up.
                    log.error("{} pass failed", what, ex);
                    throw ex;
                }
                return book.publishIfChanged();
            }, e);
        } catch (RejectedExecutionException ex) {
            return CompletableFuture.failedFuture(new IllegalStateException("reconciler is stopping"));
        }
    }

    // ---- passes (reconcile thread only) ----

    private void reconcile(DesiredState state) {
        book.tookUp(state);
        long started = System.nanoTime();
        for (ComputeSpec spec : state.computes()) {
            if (latestRequested.get() != state) {
                // A newer state is queued right behind this pass and decides everything again.
                log.debug("generation {} superseded mid-pass", state.generation());
                return;
            }
            application.apply(spec);
        }
        Set<UUID> wanted = state.computes().stream().map(ComputeSpec::computeId).collect(Collectors.toSet());
        for (Compute c : book.computes()) {
            if (!wanted.contains(c.id)) {
                deletion.delete(c);
            }
        }
        book.updateObservedGeneration();
        // Every compute was tried and every unwanted one deleted (or still listed, failed): what the control plane needs
        // to finish deletions, which one failing compute must not hold back.
        book.reconciled(state.generation());
        log.info("reconciled generation {} ({} computes) in {} ms", state.generation(), state.computes().size(),
                (System.nanoTime() - started) / 1_000_000);
    }
}
