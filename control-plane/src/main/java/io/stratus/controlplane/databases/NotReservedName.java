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

/**
 * Not a name Postgres or Stratus keeps for itself inside a compute. Only judged for names of the right form: one
 * that is malformed gets that reason alone.
 */
@Documented
@Constraint(validatedBy = NotReservedName.Validator.class)
@Target({ElementType.FIELD, ElementType.RECORD_COMPONENT, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@interface NotReservedName {

    String message() default "is reserved";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    class Validator implements ConstraintValidator<NotReservedName, String> {

        @Override
        public boolean isValid(String name, ConstraintValidatorContext context) {
            if (name == null || !DatabaseRequests.IDENTIFIER.matcher(name).matches()) {
                return true;
            }
            return !(name.equals("postgres") || name.startsWith("template") || name.startsWith("pg_")
                    || name.startsWith("stratus"));
        }
    }
}
