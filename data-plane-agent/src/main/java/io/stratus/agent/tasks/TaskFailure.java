package io.stratus.agent.tasks;

/** A task that cannot be done, with a reason code a program can act on. */
public class TaskFailure extends Exception {

    private final String reasonCode;

    public TaskFailure(String reasonCode, String message) {
        super(message);
        this.reasonCode = reasonCode;
    }

    public String reasonCode() {
        return reasonCode;
    }
}
