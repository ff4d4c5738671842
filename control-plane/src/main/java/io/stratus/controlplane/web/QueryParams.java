package io.stratus.controlplane.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Parsing of query parameters shared by the API's range endpoints, with the same 400 problem for the same mistake. */
public final class QueryParams {

    /** The reason given for a value that is not an instant. */
    public static final String INSTANT_EXPECTED = "must be an ISO-8601 instant such as 2026-01-01T00:00:00Z";

    private QueryParams() {
    }

    /** The instant in {@code value}, or {@code fallback} when absent; a 400 problem naming {@code field} otherwise. */
    public static Instant instant(String field, String value, Instant fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(field, INSTANT_EXPECTED);
        }
    }
}
