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
    record CreateDatabaseRequest(String name, BigDecimal minCu, BigDecimal maxCu, String release) {
    }

    /** The validated request, with defaults applied. */
    record ValidCreate(String name, BigDecimal minCu, BigDecimal maxCu, String release) {
    }

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
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new ValidCreate(r.name(), r.minCu().stripTrailingZeros(), r.maxCu().stripTrailingZeros(), release);
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
