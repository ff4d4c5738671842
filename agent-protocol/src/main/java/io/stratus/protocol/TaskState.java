package io.stratus.protocol;

/** Where a task stands, as its node reports it. */
public enum TaskState {
    /** Received and being worked on (or about to be). */
    RUNNING,
    /** Done; its result says what came of it. */
    SUCCEEDED,
    /** Given up; the reason code says why in a word a program can act on, the message in words. */
    FAILED;

    public boolean isFinal() {
        return this != RUNNING;
    }
}
