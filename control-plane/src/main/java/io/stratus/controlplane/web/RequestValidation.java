package io.stratus.controlplane.web;

import io.stratus.controlplane.web.ApiException.FieldError;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.Validator;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Runs a request record's Bean Validation constraints and turns every violation into a field error, in the record's
 * field order, so a client learns of every bad field at once (as {@code errors[]} of one problem).
 */
@Component
public class RequestValidation {

    private final Validator validator;

    public RequestValidation(Validator validator) {
        this.validator = validator;
    }

    /** The request's violations as field errors, in declaration order; empty when it is valid. */
    public List<FieldError> errors(Record request) {
        Set<ConstraintViolation<Record>> violations = validator.validate(request);
        List<String> order = Arrays.stream(request.getClass().getRecordComponents()).map(RecordComponent::getName).toList();
        List<FieldError> errors = new ArrayList<>();
        violations.stream()
                .map(v -> new FieldError(field(v.getPropertyPath()), v.getMessage()))
                .sorted(Comparator.comparingInt((FieldError e) -> order.indexOf(e.field())).thenComparing(FieldError::reason))
                .forEach(errors::add);
        return errors;
    }

    /** Throws one problem naming every bad field, or returns when there is none. */
    public void check(Record request) {
        List<FieldError> errors = errors(request);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }

    private static String field(Path path) {
        String name = null;
        for (Path.Node node : path) {
            name = node.getName();
        }
        return name == null || name.isEmpty() ? "body" : name;
    }
}
