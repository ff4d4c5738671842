package io.stratus.controlplane.billing;

import io.stratus.controlplane.metering.UsageUnits;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.ApiException.FieldError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.regex.Pattern;

/** Checks a new price plan field by field and reports every problem at once, before anything is written. */
final class PlanRequests {

    /** A space only between two other characters: no "basic " next to "basic", no "pro  plus" next to "pro plus". */
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9](?:[A-Za-z0-9._-]| (?=[A-Za-z0-9._-])){0,62}$");
    private static final Pattern CURRENCY = Pattern.compile("^[A-Z]{3}$");
    /** The columns are numeric(20, 6): 14 integer digits, 6 decimals. */
    private static final int MAX_DECIMALS = 6;
    private static final BigDecimal MAX_AMOUNT = new BigDecimal("99999999999999.999999");

    private PlanRequests() {
    }

    /**
     * {@code POST /v1/admin/plans} body. Numbers bind to {@link BigDecimal} straight from the JSON text, so 0.1 is
     * exactly 0.1; unknown fields are rejected.
     */
    record CreatePlanRequest(String name, String currency, BigDecimal pricePerMillionRequests, BigDecimal pricePerCuHour,
                             BigDecimal pricePerGbMonth, BigDecimal pricePerGbEgress, BigDecimal freeRequests,
                             BigDecimal freeCuHours, BigDecimal freeGbMonths, BigDecimal freeEgressGb) {
    }

    /** A plan that passed every check, numbers normalised (no trailing zeros). */
    record ValidPlan(String name, String currency, BigDecimal pricePerMillionRequests, BigDecimal pricePerCuHour,
                     BigDecimal pricePerGbMonth, BigDecimal pricePerGbEgress, long freeRequests,
                     BigDecimal freeCuHours, BigDecimal freeGbMonths, BigDecimal freeEgressGb) {
    }

    static ValidPlan validate(CreatePlanRequest r) {
        List<FieldError> errors = new ArrayList<>();
        if (r.name() == null) {
            errors.add(new FieldError("name", "is required"));
        } else if (!NAME.matcher(r.name()).matches()) {
            errors.add(new FieldError("name", "must be 1-63 letters, digits, '.', '_', '-' or single spaces between them,"
                    + " starting with a letter or digit"));
        }
        if (r.currency() == null) {
            errors.add(new FieldError("currency", "is required"));
        } else if (!CURRENCY.matcher(r.currency()).matches() || !hasMinorUnit(r.currency())) {
            errors.add(new FieldError("currency", "must be an ISO 4217 currency code with a minor unit, e.g. USD or EUR"));
        }
        amount("pricePerMillionRequests", r.pricePerMillionRequests(), errors);
        amount("pricePerCuHour", r.pricePerCuHour(), errors);
        amount("pricePerGbMonth", r.pricePerGbMonth(), errors);
        amount("pricePerGbEgress", r.pricePerGbEgress(), errors);
        if (amount("freeRequests", r.freeRequests(), errors) && r.freeRequests().stripTrailingZeros().scale() > 0) {
            errors.add(new FieldError("freeRequests", "must be a whole number of requests"));
        }
        amount("freeCuHours", r.freeCuHours(), errors);
        amount("freeGbMonths", r.freeGbMonths(), errors);
        amount("freeEgressGb", r.freeEgressGb(), errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new ValidPlan(r.name(), r.currency(), UsageUnits.plain(r.pricePerMillionRequests()),
                UsageUnits.plain(r.pricePerCuHour()), UsageUnits.plain(r.pricePerGbMonth()), UsageUnits.plain(r.pricePerGbEgress()),
                r.freeRequests().longValueExact(), UsageUnits.plain(r.freeCuHours()), UsageUnits.plain(r.freeGbMonths()),
                UsageUnits.plain(r.freeEgressGb()));
    }

    /** Pseudo-currencies (XAU, XXX, ...) have no minor unit, so amounts in them could not be rounded. */
    private static boolean hasMinorUnit(String code) {
        try {
            return Currency.getInstance(code).getDefaultFractionDigits() >= 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Required, not negative, at most 6 decimals, fits the column; true when it passed. */
    private static boolean amount(String field, BigDecimal value, List<FieldError> errors) {
        if (value == null) {
            errors.add(new FieldError(field, "is required"));
        } else if (value.signum() < 0) {
            errors.add(new FieldError(field, "must not be negative"));
        } else if (value.stripTrailingZeros().scale() > MAX_DECIMALS) {
            errors.add(new FieldError(field, "must have at most " + MAX_DECIMALS + " decimals"));
        } else if (value.compareTo(MAX_AMOUNT) > 0) {
            errors.add(new FieldError(field, "must be at most " + MAX_AMOUNT.toPlainString()));
        } else {
            return true;
        }
        return false;
    }
}
