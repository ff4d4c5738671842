package io.stratus.controlplane.web;

import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * A request the API refuses, rendered as an RFC 9457 problem. Thrown before anything is changed, or inside the
 * transaction that would have changed it, so a refused request never leaves a partial change.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String title;
    private final List<FieldError> errors;
    private final Long retryAfterSeconds;

    public ApiException(HttpStatus status, String type, String title, String detail, List<FieldError> errors) {
        this(status, type, title, detail, errors, null);
    }

    private ApiException(HttpStatus status, String type, String title, String detail, List<FieldError> errors,
                         Long retryAfterSeconds) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** The same refusal, telling the client when trying again can succeed ({@code Retry-After}, at least 1 s). */
    public ApiException retryAfter(long seconds) {
        return new ApiException(status, type, title, getMessage(), errors, Math.max(1, seconds));
    }

    /** One field and why it was refused. */
    public record FieldError(String field, String reason) {
    }

    public static ApiException invalid(List<FieldError> errors) {
        String detail = errors.stream().map(e -> e.field() + ": " + e.reason()).reduce((a, b) -> a + "; " + b).orElse("invalid request");
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail, errors);
    }

    public static ApiException invalid(String field, String reason) {
        return invalid(List.of(new FieldError(field, reason)));
    }

    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, "not-found", "Not found", what + " not found", List.of());
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, "forbidden", "Forbidden", detail, List.of());
    }

    public static ApiException conflict(String type, String detail, String field) {
        return new ApiException(HttpStatus.CONFLICT, type, "Conflict", detail,
                field == null ? List.of() : List.of(new FieldError(field, detail)));
    }

    public HttpStatus status() {
        return status;
    }

    public URI type() {
        return URI.create("https://stratus.dev/problems/" + type);
    }

    public String title() {
        return title;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** Seconds for {@code Retry-After}, or null when retrying the same request cannot help. */
    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
