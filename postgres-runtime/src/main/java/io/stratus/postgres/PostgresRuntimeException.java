package io.stratus.postgres;

/** A Postgres binary or cluster operation failed; the message carries the tool's output. */
public class PostgresRuntimeException extends RuntimeException {
    public PostgresRuntimeException(String message) {
        super(message);
    }

    public PostgresRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
