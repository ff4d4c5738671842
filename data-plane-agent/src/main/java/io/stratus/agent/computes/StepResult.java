package io.stratus.agent.computes;

/** What one ensure-step did. Only {@link Unchanged} means the step found everything as wanted. */
sealed interface StepResult permits StepResult.Unchanged, StepResult.Created, StepResult.Changed, StepResult.Deleted {

    StepResult UNCHANGED = new Unchanged();

    /** True when the step had to act. */
    default boolean acted() {
        return !(this instanceof Unchanged);
    }

    /** For the log: what was done. */
    String what();

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
