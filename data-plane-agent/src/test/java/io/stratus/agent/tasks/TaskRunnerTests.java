package io.stratus.agent.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.computes.RunningCompute;
import io.stratus.protocol.TaskSpec;
import io.stratus.protocol.TaskState;
import io.stratus.protocol.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The task channel's agent half, with task types of the test's own: no postmaster needed, the decisions are the
 * runner's. A crash is an abandoned runner (never stopped) and a new one started on the same data directory.
 */
class TaskRunnerTests {

    private static final UUID COMPUTE = UUID.randomUUID();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final List<TaskRunner> runners = new ArrayList<>();
    private final AtomicInteger changes = new AtomicInteger();

    /** Counts its runs; blocks while {@code hold} is closed. */
    static final class Counting implements TaskType<Counting.Parameters> {
        record Parameters(int n) {
        }

        final String name;
        final boolean resumable;
        final AtomicInteger runs = new AtomicInteger();
        volatile CountDownLatch hold = new CountDownLatch(0);

        Counting(String name, boolean resumable) {
            this.name = name;
            this.resumable = resumable;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Class<Parameters> parameters() {
            return Parameters.class;
        }

        @Override
        public boolean resumable() {
            return resumable;
        }

        @Override
        public Outcome run(Optional<RunningCompute> compute, Parameters parameters, Progress progress) throws Exception {
            runs.incrementAndGet();
            progress.report(50);
            hold.await();
            return new Outcome("done " + parameters.n(), Map.of("n", parameters.n(), "running", compute.isPresent()));
        }
    }

    private final Counting quick = new Counting("quick", true);
    private final Counting once = new Counting("once", false);

    @AfterEach
    void stopAll() {
        runners.forEach(TaskRunner::stop);
    }

    private TaskRunner runner(ComputeLookup computes) {
        TaskRunner r = new TaskRunner(new AgentPaths(dir), JsonMapper.builder().build(), List.of(quick, once), computes,
                Clock.systemUTC(), e -> changes.incrementAndGet());
        runners.add(r);
        r.start();
        return r;
    }

    private TaskRunner runner() {
        return runner(id -> id.equals(COMPUTE) ? Optional.of(new ComputeLookup.Presence(Optional.empty())) : Optional.empty());
    }

    private static TaskSpec task(String type, Map<String, Object> parameters, Duration deadlineIn) {
        return new TaskSpec(UUID.randomUUID(), type, COMPUTE, parameters, Instant.now().plus(deadlineIn));
    }

    private static TaskStatus statusOf(TaskRunner r, TaskSpec t) {
        return r.statuses().stream().filter(s -> s.id().equals(t.id())).findFirst().orElse(null);
    }

    private static TaskStatus awaitFinal(TaskRunner r, TaskSpec t) {
        return await().atMost(WAIT).until(() -> statusOf(r, t), s -> s != null && s.state().isFinal());
    }

    @Test
    void aTaskDeliveredAgainAndAgainRunsOnceAndIsReportedUntilTheControlPlaneStopsListingIt() {
        TaskRunner r = runner();
        TaskSpec t = task("quick", Map.of("n", 7), Duration.ofMinutes(1));

        r.accept(List.of(t));
        TaskStatus done = awaitFinal(r, t);
        r.accept(List.of(t));
        r.accept(List.of(t));

        assertThat(quick.runs).hasValue(1);
        assertThat(done.state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(done.message()).isEqualTo("done 7");
        assertThat(done.result()).containsEntry("n", 7).containsEntry("running", false);
        assertThat(statusOf(r, t)).as("still reported while listed").isEqualTo(done);
        assertThat(changes.get()).isPositive();

        r.accept(List.of());
        assertThat(r.statuses()).isEmpty();
        assertThat(dir.resolve("tasks").resolve(t.id() + ".json")).doesNotExist();
    }

    @Test
    void whatCannotBeRunFailsWithAReasonCode() {
        TaskRunner r = runner();
        TaskSpec unknown = task("vacuum-everything", Map.of(), Duration.ofMinutes(1));
        TaskSpec late = task("quick", Map.of("n", 1), Duration.ofSeconds(-1));
        TaskSpec badParameters = task("quick", Map.of("n", 1, "force", true), Duration.ofMinutes(1));
        TaskSpec elsewhere = new TaskSpec(UUID.randomUUID(), "quick", UUID.randomUUID(), Map.of("n", 1),
                Instant.now().plusSeconds(60));

        r.accept(List.of(unknown, late, badParameters, elsewhere));

        assertThat(awaitFinal(r, unknown).reasonCode()).isEqualTo("unknown-type");
        assertThat(awaitFinal(r, late).reasonCode()).isEqualTo("deadline-exceeded");
        assertThat(awaitFinal(r, badParameters).reasonCode()).isEqualTo("invalid-parameters");
        assertThat(awaitFinal(r, badParameters).message()).contains("force");
        assertThat(awaitFinal(r, elsewhere).reasonCode()).isEqualTo("compute-not-found");
        assertThat(quick.runs).as("none of them ran").hasValue(0);
        assertThat(r.statuses()).allSatisfy(s -> assertThat(s.state()).isEqualTo(TaskState.FAILED));
    }

    @Test
    void aTaskStillRunningAtItsDeadlineIsInterruptedAndFailed() {
        quick.hold = new CountDownLatch(1);
        TaskRunner r = runner();
        TaskSpec t = task("quick", Map.of("n", 1), Duration.ofMillis(500));

        r.accept(List.of(t));
        await().atMost(WAIT).until(() -> statusOf(r, t).progress() == 50);

        TaskStatus failed = awaitFinal(r, t);
        assertThat(failed.state()).isEqualTo(TaskState.FAILED);
        assertThat(failed.reasonCode()).isEqualTo("deadline-exceeded");
        quick.hold.countDown();
        assertThat(statusOf(r, t)).as("a late success does not overwrite it").isEqualTo(failed);
    }

    // kill -9 of the agent mid-task: the journal still says running; the next agent resumes what can resume and
    // reports the rest failed, so no task is silently lost.
    @Test
    void aTaskCutShortByAnAgentCrashIsResumedIfItsTypeCanResumeAndOtherwiseReportedFailed() throws Exception {
        quick.hold = new CountDownLatch(1);
        once.hold = new CountDownLatch(1);
        TaskRunner crashed = runner();
        TaskSpec resumable = task("quick", Map.of("n", 3), Duration.ofMinutes(1));
        TaskSpec notResumable = task("once", Map.of("n", 4), Duration.ofMinutes(1));
        crashed.accept(List.of(resumable, notResumable));
        await().atMost(WAIT).until(() -> quick.runs.get() == 1 && once.runs.get() == 1);
        assertThat(Files.list(dir.resolve("tasks"))).hasSize(2);

        quick.hold = new CountDownLatch(0);
        TaskRunner restarted = runner();

        assertThat(awaitFinal(restarted, resumable).state()).isEqualTo(TaskState.SUCCEEDED);
        assertThat(quick.runs).hasValue(2);
        TaskStatus failed = awaitFinal(restarted, notResumable);
        assertThat(failed.state()).isEqualTo(TaskState.FAILED);
        assertThat(failed.reasonCode()).isEqualTo("interrupted-by-agent-restart");
        assertThat(once.runs).as("not run again").hasValue(1);

        // The same tasks delivered again after the restart are the ones held, not new work.
        restarted.accept(List.of(resumable, notResumable));
        assertThat(quick.runs).hasValue(2);
        assertThat(once.runs).hasValue(1);
        once.hold.countDown();
    }

    @Test
    void aFinishedTaskSurvivesARestartUntilReported() {
        TaskRunner first = runner();
        TaskSpec t = task("quick", Map.of("n", 5), Duration.ofMinutes(1));
        first.accept(List.of(t));
        TaskStatus done = awaitFinal(first, t);
        first.stop();

        TaskRunner second = runner();

        assertThat(statusOf(second, t)).isEqualTo(done);
        assertThat(quick.runs).hasValue(1);
    }
}
