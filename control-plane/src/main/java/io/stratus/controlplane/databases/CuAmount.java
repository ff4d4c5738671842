package io.stratus.controlplane.databases;

import io.stratus.controlplane.StratusSettings;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigDecimal;

/**
 * A capacity in CU this fleet can grant: between one step and the fleet's largest compute, in whole steps. Both
 * bounds are settings, hence a validator of its own rather than {@code @DecimalMin}. Null is left to
 * {@code @NotNull} where the field is required.
 */
@Documented
@Constraint(validatedBy = CuAmount.Validator.class)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@interface CuAmount {

    String message() default "is not a CU amount this fleet grants";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<CuAmount, BigDecimal> {

        private final StratusSettings settings;

        Validator(StratusSettings settings) {
            this.settings = settings;
        }

        @Override
        public boolean isValid(BigDecimal cu, ConstraintValidatorContext context) {
            if (cu == null) {
                return true;
            }
            String reason = reason(cu, settings.cuStep(), settings.maxCu());
            if (reason == null) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(reason).addConstraintViolation();
            return false;
        }

        /** Null when {@code cu} is a grantable amount; else why not. */
        static String reason(BigDecimal cu, BigDecimal step, BigDecimal max) {
            if (cu.compareTo(step) < 0 || cu.compareTo(max) > 0) {
                return "must be between " + step.toPlainString() + " and " + max.toPlainString();
            }
            if (cu.remainder(step).signum() != 0) {
                return "must be a multiple of " + step.toPlainString();
            }
            return null;
        }
    }
}
