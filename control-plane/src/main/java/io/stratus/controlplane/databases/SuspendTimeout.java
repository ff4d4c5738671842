package io.stratus.controlplane.databases;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** 0 (never suspend) or a number of seconds in the range the autoscaler can act on; null means the default. */
@Documented
@Constraint(validatedBy = SuspendTimeout.Validator.class)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@interface SuspendTimeout {

    int MIN = 10;
    int MAX = 7 * 24 * 3600;

    String message() default "must be 0 (never suspend) or between " + MIN + " and " + MAX;

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<SuspendTimeout, Integer> {

        @Override
        public boolean isValid(Integer t, ConstraintValidatorContext context) {
            return t == null || t == 0 || (t >= MIN && t <= MAX);
        }
    }
}
