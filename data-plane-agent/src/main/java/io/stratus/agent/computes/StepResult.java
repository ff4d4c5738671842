package io.stratus.agent.computes;

import org.slf4j.Logger;

/** What one ensure-step did. Only {@link Unchanged} means the step found everything as wanted. */
sealed interface StepResult permits StepResult.Unchanged, StepResult.Created, StepResult.Changed, StepResult.Deleted {

    StepResult UNCHANGED = new Unchanged();

    /** True when the step had to act. */
    default boolean acted() {
        return !(this instanceof Unchanged);
    }

    /** For the log: what was done. */
    String what();

    /** Logs a step that acted at info, one that found everything in place at debug only. */
    static void log(Logger log, String step, StepResult result) {
        if (result.acted()) {
            log.info("{}: {}", step, result.what());
        } else {
            log.debug("{}: unchanged", step);
        }
    }

    record Unchanged() implements StepResult {
        @Override
        public String what() {
            return "unchanged";
        }
    }

    record Created(String what) implements StepResult {
    }

    record Changed(String what) implements StepResult {
    }

    record Deleted(String what) implements StepResult {
    }
}
