package io.stratus.controlplane.web;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Parsing of query parameters shared by the API's range endpoints, with the same 400 problem for the same mistake. */
public final class QueryParams {

    /** The reason given for a value that is not an instant. */
    public static final String INSTANT_EXPECTED = "must be an ISO-8601 instant such as 2026-01-01T00:00:00Z";

    /**
     * The earliest instant a range parameter may name. {@link Instant#parse} takes years up to ±1,000,000,000, far
     * beyond what PostgreSQL's timestamps hold (4713 BC to 294276 AD); four-digit years keep every range endpoint,
     * and the defaults and bucket alignment computed from it, well inside them.
     */
    public static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    /** The latest instant a range parameter may name. */
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");
    /** The reason given for an instant outside [{@link #EARLIEST}, {@link #LATEST}]. */
    public static final String INSTANT_OUT_OF_RANGE = "must be between " + EARLIEST + " and " + LATEST;

    private QueryParams() {
    }

    /** A {@code from}/{@code to} pair as given or defaulted; whether {@code from} must precede {@code to} is the caller's. */
    public record Range(Instant from, Instant to) {
    }

    /**
     * The {@code from} and {@code to} parameters, both checked before either is refused, so a 400 names every bad one;
     * {@code to} defaults to {@code now} and {@code from} to {@code defaultLength} before {@code to}.
     */
    public static Range range(String from, String to, Instant now, Duration defaultLength) {
        List<ApiException.FieldError> errors = new ArrayList<>();
        Instant start = instant("from", from, errors);
        Instant end = instant("to", to, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        end = end == null ? now : end;
        return new Range(start == null ? end.minus(defaultLength) : start, end);
    }

    /** The instant in {@code value}, or {@code fallback} when absent; a 400 problem naming {@code field} otherwise. */
    public static Instant instant(String field, String value, Instant fallback) {
        List<ApiException.FieldError> errors = new ArrayList<>();
        Instant parsed = instant(field, value, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return parsed == null ? fallback : parsed;
    }

    /**
     * The instant in {@code value}, null when absent or refused; a refused value adds its {@code field} and reason to
     * {@code errors}, so a caller can report every bad parameter at once.
     */
    public static Instant instant(String field, String value, List<ApiException.FieldError> errors) {
        if (value == null) {
            return null;
        }
        Instant parsed;
        try {
            parsed = Instant.parse(value);
        } catch (DateTimeParseException e) {
            errors.add(new ApiException.FieldError(field, INSTANT_EXPECTED));
            return null;
        }
        if (parsed.isBefore(EARLIEST) || parsed.isAfter(LATEST)) {
            errors.add(new ApiException.FieldError(field, INSTANT_OUT_OF_RANGE));
            return null;
        }
        return parsed;
    }

    /**
     * Checks {@code page} and {@code size} of a paginated list, adding what is wrong to {@code errors}: a page from 0,
     * a size from 1 to {@code maxSize}, and an offset ({@code page × size}) that a query's int offset holds.
     */
    public static void page(int page, int size, int maxSize, List<ApiException.FieldError> errors) {
        if (page < 0) {
            errors.add(new ApiException.FieldError("page", "must be 0 or more"));
        } else if (size >= 1 && (long) page * size > Integer.MAX_VALUE) {
            errors.add(new ApiException.FieldError("page", "must be at most " + Integer.MAX_VALUE / size + " with size "
                    + size));
        }
        if (size < 1 || size > maxSize) {
            errors.add(new ApiException.FieldError("size", "must be between 1 and " + maxSize));
        }
    }
}
