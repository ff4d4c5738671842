package io.stratus.controlplane.databases;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.ApiException.FieldError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Checks a database request field by field and reports every problem at once, before anything is written.
 */
@Component
class DatabaseRequests {

    static final Pattern IDENTIFIER = Pattern.compile("^[a-z][a-z0-9_]{0,62}$");
    private static final Pattern RELEASE = Pattern.compile("^\\d{2}(\\.\\d+)?$");

    private final StratusSettings settings;

    DatabaseRequests(StratusSettings settings) {
        this.settings = settings;
    }

    /** {@code POST /v1/databases} body. Unknown fields are rejected (see docs/api.md). */
    record CreateDatabaseRequest(String name, BigDecimal minCu, BigDecimal maxCu, String release,
                                 Integer suspendTimeoutSeconds) {
    }

    /** The validated request, with defaults applied. */
    record ValidCreate(String name, BigDecimal minCu, BigDecimal maxCu, String release, int suspendTimeoutSeconds) {
    }

    /** {@code PATCH /v1/databases/{id}} body: only the fields given change. */
    record UpdateDatabaseRequest(BigDecimal minCu, BigDecimal maxCu, Integer suspendTimeoutSeconds) {
    }

    static final int DEFAULT_SUSPEND_TIMEOUT = 300;
    static final int MIN_SUSPEND_TIMEOUT = 10;
    static final int MAX_SUSPEND_TIMEOUT = 7 * 24 * 3600;

    ValidCreate validate(CreateDatabaseRequest r) {
        List<FieldError> errors = new ArrayList<>();
        if (r.name() == null) {
            errors.add(new FieldError("name", "is required"));
        } else if (!IDENTIFIER.matcher(r.name()).matches()) {
            errors.add(new FieldError("name", "must match ^[a-z][a-z0-9_]{0,62}$ (lower-case letter, then letters, digits or _)"));
        } else if (r.name().equals("postgres") || r.name().startsWith("template") || r.name().startsWith("pg_")
                || r.name().startsWith("stratus")) {
            errors.add(new FieldError("name", "is reserved"));
        }
        checkCu("minCu", r.minCu(), errors);
        checkCu("maxCu", r.maxCu(), errors);
        if (r.minCu() != null && r.maxCu() != null && r.minCu().compareTo(r.maxCu()) > 0) {
            errors.add(new FieldError("minCu", "must not exceed maxCu"));
        }
        String release = r.release() == null ? settings.defaultRelease() : r.release();
        if (!RELEASE.matcher(release).matches()) {
            errors.add(new FieldError("release", "must be a Postgres version such as 15 or 17.6"));
        }
        checkSuspendTimeout(r.suspendTimeoutSeconds(), errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new ValidCreate(r.name(), r.minCu().stripTrailingZeros(), r.maxCu().stripTrailingZeros(), release,
                r.suspendTimeoutSeconds() == null ? DEFAULT_SUSPEND_TIMEOUT : r.suspendTimeoutSeconds());
    }

    /** Validates a change against the database's current values; every bad field reported at once. */
    void validateUpdate(UpdateDatabaseRequest r, BigDecimal currentMin, BigDecimal currentMax) {
        List<FieldError> errors = new ArrayList<>();
        if (r.minCu() == null && r.maxCu() == null && r.suspendTimeoutSeconds() == null) {
            errors.add(new FieldError("body", "nothing to change: give minCu, maxCu or suspendTimeoutSeconds"));
        }
        if (r.minCu() != null) {
            checkCu("minCu", r.minCu(), errors);
        }
        if (r.maxCu() != null) {
            checkCu("maxCu", r.maxCu(), errors);
        }
        BigDecimal min = r.minCu() == null ? currentMin : r.minCu();
        BigDecimal max = r.maxCu() == null ? currentMax : r.maxCu();
        if (errors.isEmpty() && min.compareTo(max) > 0) {
            errors.add(new FieldError(r.minCu() != null ? "minCu" : "maxCu", "minCu must not exceed maxCu"));
        }
        checkSuspendTimeout(r.suspendTimeoutSeconds(), errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }

    private static void checkSuspendTimeout(Integer t, List<FieldError> errors) {
        if (t != null && t != 0 && (t < MIN_SUSPEND_TIMEOUT || t > MAX_SUSPEND_TIMEOUT)) {
            errors.add(new FieldError("suspendTimeoutSeconds", "must be 0 (never suspend) or between "
                    + MIN_SUSPEND_TIMEOUT + " and " + MAX_SUSPEND_TIMEOUT));
        }
    }

    private void checkCu(String field, BigDecimal cu, List<FieldError> errors) {
        BigDecimal step = settings.cuStep();
        if (cu == null) {
            errors.add(new FieldError(field, "is required"));
        } else if (cu.compareTo(step) < 0 || cu.compareTo(settings.maxCu()) > 0) {
            errors.add(new FieldError(field, "must be between " + step.toPlainString() + " and "
                    + settings.maxCu().toPlainString()));
        } else if (cu.remainder(step).signum() != 0) {
            errors.add(new FieldError(field, "must be a multiple of " + step.toPlainString()));
        }
    }

    /** The owner role of a database: {@code <name>_owner}, kept within Postgres' 63-byte identifier limit. */
    static String ownerRoleFor(String databaseName) {
        String base = databaseName.length() > 57 ? databaseName.substring(0, 57) : databaseName;
        return base + "_owner";
    }
}
