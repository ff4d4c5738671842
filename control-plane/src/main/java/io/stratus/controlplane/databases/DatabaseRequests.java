package io.stratus.controlplane.databases;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.ApiException.FieldError;
import io.stratus.controlplane.web.RequestValidation;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Checks a database request and reports every problem at once, before anything is written. The rules are the request
 * records' constraints (Bean Validation: plain ones as annotations, the CU amount, reserved names, the suspend timeout
 * and the CU range as constraints of their own); only what depends on the database's current values is checked here.
 */
@Component
class DatabaseRequests {

    /** A database name: a Postgres identifier that needs no quoting. */
    static final String NAME = "^[a-z][a-z0-9_]{0,62}$";
    static final Pattern IDENTIFIER = Pattern.compile(NAME);

    private final StratusSettings settings;
    private final RequestValidation validation;
    private final java.util.function.Supplier<java.util.Optional<String>> fleetDefaultRelease;

    /** Without a fleet default: {@code stratus.default-release} for every create. */
    DatabaseRequests(StratusSettings settings, RequestValidation validation) {
        this(settings, validation, java.util.Optional::empty);
    }

    @org.springframework.beans.factory.annotation.Autowired
    DatabaseRequests(StratusSettings settings, RequestValidation validation,
                     io.stratus.controlplane.fleet.FleetDefaults fleetDefaults) {
        this(settings, validation, fleetDefaults::defaultRelease);
    }

    DatabaseRequests(StratusSettings settings, RequestValidation validation,
                     java.util.function.Supplier<java.util.Optional<String>> fleetDefaultRelease) {
        this.fleetDefaultRelease = fleetDefaultRelease;
        this.settings = settings;
        this.validation = validation;
    }

    /** {@code POST /v1/databases} body. Unknown fields are rejected (see docs/api.md). */
    @CuRange
    record CreateDatabaseRequest(
            @NotNull(message = "is required")
            @jakarta.validation.constraints.Pattern(regexp = NAME,
                    message = "must match ^[a-z][a-z0-9_]\\{0,62\\}$ (lower-case letter, then letters, digits or _)")
            @NotReservedName
            String name,
            @NotNull(message = "is required") @CuAmount BigDecimal minCu,
            @NotNull(message = "is required") @CuAmount BigDecimal maxCu,
            @jakarta.validation.constraints.Pattern(regexp = "^\\d{2}(\\.\\d+)?$",
                    message = "must be a Postgres version such as 15 or 17.6")
            String release,
            @SuspendTimeout Integer suspendTimeoutSeconds,
            Boolean pgStatStatements) {
    }

    /** The validated request, with defaults applied. */
    record ValidCreate(String name, BigDecimal minCu, BigDecimal maxCu, String release, int suspendTimeoutSeconds,
                       boolean pgStatStatements) {
    }

    /** {@code PATCH /v1/databases/{id}} body: only the fields given change. */
    record UpdateDatabaseRequest(@CuAmount BigDecimal minCu, @CuAmount BigDecimal maxCu,
                                 @SuspendTimeout Integer suspendTimeoutSeconds, Boolean pgStatStatements) {
    }

    static final int DEFAULT_SUSPEND_TIMEOUT = 300;

    ValidCreate validate(CreateDatabaseRequest r) {
        validation.check(r);
        // The fleet's default moves with a completed rolling update to a release; the setting is the first one.
        String release = r.release() != null ? r.release()
                : fleetDefaultRelease.get().orElse(settings.defaultRelease());
        return new ValidCreate(r.name(), r.minCu().stripTrailingZeros(), r.maxCu().stripTrailingZeros(), release,
                r.suspendTimeoutSeconds() == null ? DEFAULT_SUSPEND_TIMEOUT : r.suspendTimeoutSeconds(),
                Boolean.TRUE.equals(r.pgStatStatements()));
    }

    /** Validates a change against the database's current values; every bad field reported at once. */
    void validateUpdate(UpdateDatabaseRequest r, BigDecimal currentMin, BigDecimal currentMax) {
        List<FieldError> errors = new ArrayList<>();
        if (r.minCu() == null && r.maxCu() == null && r.suspendTimeoutSeconds() == null && r.pgStatStatements() == null) {
            errors.add(new FieldError("body",
                    "nothing to change: give minCu, maxCu, suspendTimeoutSeconds or pgStatStatements"));
        }
        List<FieldError> fieldErrors = validation.errors(r);
        errors.addAll(fieldErrors);
        BigDecimal min = r.minCu() == null ? currentMin : r.minCu();
        BigDecimal max = r.maxCu() == null ? currentMax : r.maxCu();
        boolean cuValid = fieldErrors.stream().noneMatch(e -> e.field().equals("minCu") || e.field().equals("maxCu"));
        if (cuValid && min.compareTo(max) > 0) {
            errors.add(new FieldError(r.minCu() != null ? "minCu" : "maxCu", "minCu must not exceed maxCu"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }

    /** The owner role of a database: {@code <name>_owner}, kept within Postgres' 63-byte identifier limit. */
    static String ownerRoleFor(String databaseName) {
        String base = databaseName.length() > 57 ? databaseName.substring(0, 57) : databaseName;
        return base + "_owner";
    }
}
