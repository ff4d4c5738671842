package io.stratus.controlplane.billing;

import io.stratus.controlplane.metering.UsageUnits;
import io.stratus.controlplane.web.RequestValidation;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigDecimal;
import java.util.Currency;

/**
 * A new price plan's rules, as Bean Validation constraints on its request record; every problem is reported at once,
 * before anything is written.
 */
final class PlanRequests {

    /** The columns are numeric(20, 6): 14 integer digits, 6 decimals. */
    private static final int MAX_DECIMALS = 6;
    private static final BigDecimal MAX_AMOUNT = new BigDecimal("99999999999999.999999");

    private PlanRequests() {
    }

    /**
     * {@code POST /v1/admin/plans} body. Numbers bind to {@link BigDecimal} straight from the JSON text, so 0.1 is
     * exactly 0.1; unknown fields are rejected. A space in a name only between two other characters: no "basic " next
     * to "basic", no "pro  plus" next to "pro plus".
     */
    record CreatePlanRequest(
            @NotNull(message = "is required")
            @Pattern(regexp = "^[A-Za-z0-9](?:[A-Za-z0-9._-]| (?=[A-Za-z0-9._-])){0,62}$",
                    message = "must be 1-63 letters, digits, '.', '_', '-' or single spaces between them,"
                            + " starting with a letter or digit")
            String name,
            @NotNull(message = "is required") @MinorUnitCurrency String currency,
            @NotNull(message = "is required") @Amount BigDecimal pricePerMillionRequests,
            @NotNull(message = "is required") @Amount BigDecimal pricePerCuHour,
            @NotNull(message = "is required") @Amount BigDecimal pricePerGbMonth,
            @NotNull(message = "is required") @Amount BigDecimal pricePerGbEgress,
            @NotNull(message = "is required") @Amount(whole = true) BigDecimal freeRequests,
            @NotNull(message = "is required") @Amount BigDecimal freeCuHours,
            @NotNull(message = "is required") @Amount BigDecimal freeGbMonths,
            @NotNull(message = "is required") @Amount BigDecimal freeEgressGb,
            // Optional (0 when left out): clients written before backup storage was priced keep working.
            @Amount BigDecimal pricePerGbMonthBackup,
            @Amount BigDecimal freeBackupGbMonths) {
    }

    /** A plan that passed every check, numbers normalised (no trailing zeros). */
    record ValidPlan(String name, String currency, BigDecimal pricePerMillionRequests, BigDecimal pricePerCuHour,
                     BigDecimal pricePerGbMonth, BigDecimal pricePerGbEgress, long freeRequests,
                     BigDecimal freeCuHours, BigDecimal freeGbMonths, BigDecimal freeEgressGb,
                     BigDecimal pricePerGbMonthBackup, BigDecimal freeBackupGbMonths) {
    }

    static ValidPlan validate(CreatePlanRequest r, RequestValidation validation) {
        validation.check(r);
        return new ValidPlan(r.name(), r.currency(), UsageUnits.plain(r.pricePerMillionRequests()),
                UsageUnits.plain(r.pricePerCuHour()), UsageUnits.plain(r.pricePerGbMonth()), UsageUnits.plain(r.pricePerGbEgress()),
                r.freeRequests().longValueExact(), UsageUnits.plain(r.freeCuHours()), UsageUnits.plain(r.freeGbMonths()),
                UsageUnits.plain(r.freeEgressGb()), UsageUnits.plain(orZero(r.pricePerGbMonthBackup())),
                UsageUnits.plain(orZero(r.freeBackupGbMonths())));
    }

    private static BigDecimal orZero(BigDecimal value) {
        return value == null ? BigDecimal.ZERO : value;
    }

    /** An amount the plan's numeric(20, 6) columns hold: not negative, at most 6 decimals (none when whole). */
    @Documented
    @Constraint(validatedBy = Amount.Validator.class)
    @Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
    @Retention(RetentionPolicy.RUNTIME)
    @interface Amount {

        /** A count (of requests): no fraction at all. */
        boolean whole() default false;

        String message() default "is not an amount";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        class Validator implements ConstraintValidator<Amount, BigDecimal> {

            private boolean whole;

            @Override
            public void initialize(Amount annotation) {
                whole = annotation.whole();
            }

            @Override
            public boolean isValid(BigDecimal value, ConstraintValidatorContext context) {
                String reason = value == null ? null : value.signum() < 0 ? "must not be negative"
                        : value.stripTrailingZeros().scale() > MAX_DECIMALS ? "must have at most " + MAX_DECIMALS + " decimals"
                        : value.compareTo(MAX_AMOUNT) > 0 ? "must be at most " + MAX_AMOUNT.toPlainString()
                        : whole && value.stripTrailingZeros().scale() > 0 ? "must be a whole number of requests"
                        : null;
                if (reason == null) {
                    return true;
                }
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate(reason).addConstraintViolation();
                return false;
            }
        }
    }

    /** An ISO 4217 code of a currency with a minor unit (pseudo-currencies such as XAU or XXX could not be rounded). */
    @Documented
    @Constraint(validatedBy = MinorUnitCurrency.Validator.class)
    @Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
    @Retention(RetentionPolicy.RUNTIME)
    @interface MinorUnitCurrency {

        String message() default "must be an ISO 4217 currency code with a minor unit, e.g. USD or EUR";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        class Validator implements ConstraintValidator<MinorUnitCurrency, String> {

            @Override
            public boolean isValid(String code, ConstraintValidatorContext context) {
                if (code == null) {
                    return true;
                }
                if (!code.matches("^[A-Z]{3}$")) {
                    return false;
                }
                try {
                    return Currency.getInstance(code).getDefaultFractionDigits() >= 0;
                } catch (IllegalArgumentException e) {
                    return false;
                }
            }
        }
    }
}
