package io.stratus.controlplane.tasks;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Fails tasks whose node never reported them done (the node down, or the agent gone for good) a while after their deadline. */
@Component
class TaskDeadlines {

    private static final Logger log = LoggerFactory.getLogger(TaskDeadlines.class);
    /** The node fails a task at its deadline itself; this leaves its report time to arrive. */
    static final Duration GRACE = Duration.ofSeconds(30);

    private final ComputeTasks tasks;

    TaskDeadlines(ComputeTasks tasks) {
        this.tasks = tasks;
    }

    @Scheduled(fixedDelayString = "${stratus.task-deadline-interval:10s}")
    void expire() {
        int n = tasks.expire(GRACE);
        if (n > 0) {
            log.warn("failed {} task(s) not reported done by their deadline", n);
        }
    }
}
