package io.stratus.controlplane.databases;

import io.stratus.controlplane.databases.DatabaseRequests.CreateDatabaseRequest;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A create request's range is not upside down: minCu at most maxCu (reported on minCu). */
@Documented
@Constraint(validatedBy = CuRange.Validator.class)
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@interface CuRange {

    String message() default "must not exceed maxCu";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<CuRange, CreateDatabaseRequest> {

        @Override
        public boolean isValid(CreateDatabaseRequest r, ConstraintValidatorContext context) {
            if (r == null || r.minCu() == null || r.maxCu() == null || r.minCu().compareTo(r.maxCu()) <= 0) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate(context.getDefaultConstraintMessageTemplate())
                    .addPropertyNode("minCu").addConstraintViolation();
            return false;
        }
    }
}
