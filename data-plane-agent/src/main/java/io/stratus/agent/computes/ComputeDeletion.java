package io.stratus.agent.computes;

import io.stratus.agent.AgentPaths;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.SocketDirs;
import io.stratus.protocol.ComputePhase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Deletes a compute the control plane no longer wants: its postmaster, cgroup, data and socket directory.
 * A failure leaves it listed as failed, to be tried again by the health pass with backoff.
 */
final class ComputeDeletion {

    private static final Logger log = LoggerFactory.getLogger(ComputeDeletion.class);

    private final NodeBook book;
    private final ComputeSteps steps;
    private final ComputesOnDisk disk;
    private final AgentPaths paths;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    ComputeDeletion(NodeBook book, ComputeSteps steps, ComputesOnDisk disk, AgentPaths paths,
                    ApplicationEventPublisher events, Clock clock) {
        this.book = book;
        this.steps = steps;
        this.disk = disk;
        this.paths = paths;
        this.events = events;
        this.clock = clock;
    }

    void delete(Compute c) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("computeId", c.id.toString())) {
            try {
                Path computeDir = paths.compute(c.id);
                events.publishEvent(new ComputeStopping(c.id, true));
                PostgresCluster cluster = c.cluster != null ? c.cluster : disk.cluster(c.id, book.get(c.id)).orElse(null);
                if (cluster != null) {
                    cluster.destroy();
                }
                c.running = null;
                StepResult.log(log, "removeCapacity", steps.removeCapacity(c.id));
                PostgresCluster.deleteRecursively(computeDir);
                PostgresCluster.deleteRecursively(SocketDirs.forData(computeDir));
                book.remove(c.id);
                StepResult.log(log, "delete", new StepResult.Deleted("compute and its data"));
            } catch (RuntimeException e) {
                Duration wait = c.attemptFailed(clock.instant());
                log.warn("cannot delete compute (attempt {}, retry in {}): {}", c.failures, wait, e.getMessage());
                NodeBook.setStatus(c, book.status(c, ComputePhase.FAILED, null,
                        false, "cannot delete: " + e.getMessage()));
            }
        }
    }
}
