package io.stratus.agent.tasks;

import io.stratus.agent.AgentPaths;
import io.stratus.protocol.TaskSpec;
import io.stratus.protocol.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the tasks the desired state lists, each at most once at a time, keyed by its id: a task delivered again while
 * held is the same task. Each is journalled before it runs and at every change ({@link TaskJournal}), and its status
 * is reported with the node's until the control plane stops listing it, which is when it has taken the result.
 *
 * <p>After a crash (the agent killed mid-task) the next start finds the task still running in the journal: a type
 * that can resume runs it again, any other is reported failed with {@code interrupted-by-agent-restart}. A task past
 * its deadline is not started, and one still running at its deadline is interrupted and failed.
 */
@Component
public class TaskRunner implements SmartLifecycle {

    /** After the reconciler (tasks need its computes), before the watcher that feeds them. */
    public static final int PHASE = io.stratus.agent.computes.ComputeReconciler.PHASE + 100;
    private static final Logger log = LoggerFactory.getLogger(TaskRunner.class);
    private static final int WORKERS = 2;

    private final TaskJournal journal;
    private final Map<String, TaskType<?>> types;
    private final TaskExecution execution;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final Map<UUID, Held> held = new ConcurrentHashMap<>();
    private volatile ExecutorService workers;
    private volatile ScheduledExecutorService deadlines;

    public TaskRunner(AgentPaths paths, JsonMapper json, List<TaskType<?>> types, ComputeLookup computes, Clock clock,
                      ApplicationEventPublisher events) {
        this.journal = new TaskJournal(paths, json);
        this.types = types.stream().collect(Collectors.toUnmodifiableMap(TaskType::name, Function.identity()));
        this.execution = new TaskExecution(computes, json, clock);
        this.clock = clock;
        this.events = events;
    }

    /** A task held by this agent. Its status is replaced, never mutated; {@code wanted} false once unlisted. */
    private static final class Held {
        final TaskSpec spec;
        volatile TaskStatus status;
        volatile boolean wanted = true;
        volatile Future<?> run;

        Held(TaskSpec spec, TaskStatus status) {
            this.spec = spec;
            this.status = status;
        }
    }

    @Override
    public synchronized void start() {
        if (workers != null) {
            return;
        }
        AtomicInteger n = new AtomicInteger();
        workers = Executors.newFixedThreadPool(WORKERS, r -> daemon(r, "task-" + n.incrementAndGet()));
        deadlines = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "task-deadlines"));
        recover();
    }

    /** Interrupts running tasks; their journal still says running, so the next start resumes or fails them. */
    @Override
    public synchronized void stop() {
        if (workers == null) {
            return;
        }
        workers.shutdownNow();
        deadlines.shutdownNow();
        workers = null;
        deadlines = null;
    }

    @Override
    public boolean isRunning() {
        return workers != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /**
     * Takes the open tasks of a desired state: starts the new ones, and forgets finished ones no longer listed (the
     * control plane has their result). A running task no longer listed runs to its end and is then forgotten.
     */
    public synchronized void accept(List<TaskSpec> open) {
        Set<UUID> listed = open.stream().map(TaskSpec::id).collect(Collectors.toSet());
        for (TaskSpec spec : open) {
            if (!held.containsKey(spec.id())) {
                take(spec);
            }
        }
        for (Held h : List.copyOf(held.values())) {
            if (!listed.contains(h.spec.id())) {
                h.wanted = false;
                if (h.status.state().isFinal()) {
                    forget(h);
                }
            }
        }
    }

    /** Every task held, in id order. */
    public List<TaskStatus> statuses() {
        return held.values().stream().map(h -> h.status).sorted(Comparator.comparing(TaskStatus::id)).toList();
    }

    private void take(TaskSpec spec) {
        Held h = new Held(spec, TaskStatus.running(spec.id(), 0, clock.instant()));
        held.put(spec.id(), h);
        try (var ignored = mdc(spec)) {
            TaskType<?> type = types.get(spec.type());
            if (type == null) {
                finish(h, TaskStatus.failed(spec.id(), "unknown-type", "this agent knows no task type '" + spec.type()
                        + "' (it knows " + new java.util.TreeSet<>(types.keySet()) + ")", clock.instant()));
            } else if (!clock.instant().isBefore(spec.deadline())) {
                finish(h, TaskStatus.failed(spec.id(), "deadline-exceeded", "received after its deadline "
                        + spec.deadline(), clock.instant()));
            } else {
                journal.write(new TaskJournal.Entry(spec, h.status));
                log.info("task {} received", spec.type());
                launch(h, type);
            }
        }
    }

    /** What the journal holds from before this start: finished ones to report, running ones resumed or failed. */
    private void recover() {
        for (TaskJournal.Entry e : journal.readAll()) {
            Held h = new Held(e.spec(), e.status());
            held.put(e.spec().id(), h);
            if (e.status().state().isFinal()) {
                continue;
            }
            try (var ignored = mdc(e.spec())) {
                TaskType<?> type = types.get(e.spec().type());
                if (type != null && type.resumable() && clock.instant().isBefore(e.spec().deadline())) {
                    log.info("task {} was running when the agent stopped; running it again", e.spec().type());
                    launch(h, type);
                } else {
                    finish(h, TaskStatus.failed(e.spec().id(), "interrupted-by-agent-restart", "the agent restarted while "
                            + "this " + e.spec().type() + " task ran, and it cannot be resumed", clock.instant()));
                }
            }
        }
        if (!held.isEmpty()) {
            events.publishEvent(new TasksChanged());
        }
    }

    private void launch(Held h, TaskType<?> type) {
        ExecutorService w = workers;
        if (w == null) {
            return; // stopping: the journal says running, the next start decides
        }
        h.run = w.submit(() -> execute(h, type));
        long millis = Math.max(0, Duration.between(clock.instant(), h.spec.deadline()).toMillis());
        deadlines.schedule(() -> {
            if (!h.status.state().isFinal()) {
                try (var ignored = mdc(h.spec)) {
                    finish(h, TaskStatus.failed(h.spec.id(), "deadline-exceeded", "still running at its deadline "
                            + h.spec.deadline(), clock.instant()));
                    h.run.cancel(true);
                }
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private <P extends Record> void execute(Held h, TaskType<P> type) {
        try (var ignored = mdc(h.spec)) {
            execution.run(h.spec, type, percent -> progress(h, percent)).ifPresent(status -> finish(h, status));
        }
    }

    private void progress(Held h, int percent) {
        synchronized (this) {
            if (h.status.state().isFinal()) {
                return;
            }
            h.status = TaskStatus.running(h.spec.id(), Math.max(0, Math.min(99, percent)), clock.instant());
            journal.write(new TaskJournal.Entry(h.spec, h.status));
        }
        events.publishEvent(new TasksChanged());
    }

    /** Records a task's end, once: the first final state wins (a deadline and a late success race). */
    private void finish(Held h, TaskStatus status) {
        synchronized (this) {
            if (h.status.state().isFinal()) {
                return;
            }
            h.status = status;
            journal.write(new TaskJournal.Entry(h.spec, status));
            log.info("task {} {}{}", h.spec.type(), status.state(),
                    status.reasonCode() != null ? " (" + status.reasonCode() + ": " + status.message() + ")" : "");
            if (!h.wanted) {
                forget(h);
            }
        }
        events.publishEvent(new TasksChanged());
    }

    private void forget(Held h) {
        held.remove(h.spec.id());
        journal.remove(h.spec.id());
    }

    /** Log context of one task, removed again at the end of its scope. */
    private interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static Scope mdc(TaskSpec spec) {
        MDC.put("computeId", String.valueOf(spec.computeId()));
        MDC.put("taskId", spec.id().toString());
        return () -> {
            MDC.remove("computeId");
            MDC.remove("taskId");
        };
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
