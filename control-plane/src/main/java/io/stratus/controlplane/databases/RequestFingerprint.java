package io.stratus.controlplane.databases;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.StringJoiner;

/**
 * What an {@code Idempotency-Key} remembers of the request it was first used with: a SHA-256 over every component of
 * the validated request record, in declaration order. Derived from the record, so a field added to the request is part
 * of it without anyone remembering to add it (a replay that differs in it is then refused, not taken as the same).
 */
final class RequestFingerprint {

    private RequestFingerprint() {
    }

    static String of(Record request) {
        StringJoiner canonical = new StringJoiner("|");
        for (RecordComponent component : request.getClass().getRecordComponents()) {
            Object value = value(request, component);
            if (Boolean.FALSE.equals(value)) {
                // Options added later (pgStatStatements) are off by default and left out while off: a fingerprint
                // stored before the option existed still matches a replay of the same request.
                continue;
            }
            canonical.add(text(value));
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static String text(Object value) {
        // Plain, not scientific: 1E+1 and 10 are one value written two ways by the same client library.
        return value instanceof BigDecimal d ? d.toPlainString() : String.valueOf(value);
    }

    private static Object value(Record request, RecordComponent component) {
        try {
            return component.getAccessor().invoke(request);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of " + request.getClass(), e);
        }
    }
}
