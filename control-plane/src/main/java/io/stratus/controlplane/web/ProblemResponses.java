package io.stratus.controlplane.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Every error as an RFC 9457 problem ({@code application/problem+json}) with, where a field is at fault, an
 * {@code errors} list of {@code {field, reason}}. Nothing escapes as a bare 500 page.
 */
@RestControllerAdvice
class ProblemResponses extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemResponses.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> api(ApiException e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
        p.setType(e.type());
        p.setTitle(e.title());
        if (!e.errors().isEmpty()) {
            p.setProperty("errors", e.errors());
        }
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (e.retryAfterSeconds() != null) {
            answer.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
        }
        return answer.body(p);
    }

    /** Bad ids in paths (not a UUID) name nothing that exists. */
    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> badPathOrParam(MethodArgumentTypeMismatchException e) {
        if (e.getParameter().hasParameterAnnotation(org.springframework.web.bind.annotation.PathVariable.class)) {
            return api(ApiException.notFound(e.getName()));
        }
        return api(ApiException.invalid(e.getName(), "must be a valid " + simpleType(e.getRequiredType())));
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<Object> integrity(DataIntegrityViolationException e) {
        log.info("refused by a database constraint: {}", e.getMostSpecificCause().getMessage());
        return api(ApiException.conflict("conflict", "the request conflicts with the current state; retry", null));
    }

    @ExceptionHandler(RequestSizeLimitFilter.BodyTooLarge.class)
    ResponseEntity<Object> tooLarge(RequestSizeLimitFilter.BodyTooLarge e) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                "request bodies are limited to " + e.limit + " bytes");
        p.setType(URI.create("https://stratus.dev/problems/body-too-large"));
        p.setTitle("Request body too large");
        return problem(p);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        log.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "an unexpected error occurred; nothing was changed if the request failed before completion");
        p.setType(URI.create("https://stratus.dev/problems/internal"));
        return problem(p);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<ApiException.FieldError> errors = ex.getBindingResult().getFieldErrors().stream()
                .map(f -> new ApiException.FieldError(f.getField(), f.getDefaultMessage())).toList();
        return api(ApiException.invalid(errors));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        Throwable cause = ex.getMostSpecificCause();
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof RequestSizeLimitFilter.BodyTooLarge tooLarge) {
                return tooLarge(tooLarge);
            }
        }
        if (ex.getCause() instanceof DatabindException de) {
            String field = field(de);
            String reason;
            if (de instanceof UnrecognizedPropertyException) {
                reason = "unknown field (unknown fields are rejected)";
            } else if (de instanceof InvalidFormatException ife) {
                reason = "must be " + aType(ife.getTargetType());
            } else if (de instanceof MismatchedInputException mie) {
                reason = field.isEmpty() ? "the body must be a JSON object" : "must be " + aType(mie.getTargetType());
            } else {
                reason = "malformed JSON";
            }
            return api(ApiException.invalid(field.isEmpty() ? "body" : field, reason));
        }
        if (ex.getCause() instanceof InputCoercionException ice) {
            // A well-formed number too large for its field (99999999999 for an int): the parser stands on the field.
            String field = field(ice);
            String reason = "must be " + aType(ice.getTargetType()) + " within range";
            return api(ApiException.invalid(field.isEmpty() ? "body" : field, reason));
        }
        for (Throwable t = ex.getCause(); t != null; t = t.getCause()) {
            if (t instanceof StreamConstraintsException sce) {
                // A 2000-digit number or a megabyte-long string: the parser's limits, said as such (the parser does not
                // say where it stood).
                return api(ApiException.invalid("body", "exceeds a parser limit: " + limitOf(sce)));
            }
        }
        if (ex.getCause() instanceof StreamReadException sre && !field(sre).isEmpty()
                && sre.getOriginalMessage() != null && sre.getOriginalMessage().startsWith("Duplicate ")) {
            // {"minCu":0.5,"minCu":1}: which one was meant is a guess, so neither is taken.
            return api(ApiException.invalid(field(sre), "appears more than once"));
        }
        if (cause != null && cause.getClass().getName().contains("jackson")) {
            return api(ApiException.invalid("body", "malformed JSON"));
        }
        return api(ApiException.invalid("body", "a JSON body is required"));
    }

    /**
     * The field at fault, dotted ({@code a.b}, {@code a.[0]}): the exception's path where databind recorded one, else,
     * for a value the parser itself refused, where the parser stood; empty for the body itself.
     */
    private static String field(JacksonException e) {
        if (!e.getPath().isEmpty()) {
            return e.getPath().stream()
                    .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
        }
        if (e instanceof StreamReadException && e.processor() instanceof JsonParser parser) {
            List<String> names = new ArrayList<>();
            for (TokenStreamContext c = parser.streamReadContext(); c != null && !c.inRoot(); c = c.getParent()) {
                if (c.inObject() && c.currentName() != null) {
                    names.add(0, c.currentName());
                } else if (c.inArray()) {
                    names.add(0, "[" + c.getCurrentIndex() + "]");
                }
            }
            return String.join(".", names);
        }
        return "";
    }

    /** "Number value length (1001) exceeds the maximum allowed (1000)", without where in Jackson the limit is set. */
    private static String limitOf(StreamConstraintsException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        return message.replaceAll(", from `[^`]*`", "").trim();
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        ResponseEntity<Object> r = super.handleExceptionInternal(ex, body, headers, statusCode, request);
        if (r != null && r.getBody() instanceof ProblemDetail p) {
            return ResponseEntity.status(r.getStatusCode()).headers(r.getHeaders())
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(p);
        }
        return r;
    }

    private static ResponseEntity<Object> problem(ProblemDetail p) {
        return ResponseEntity.status(p.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(p);
    }

    /** The type as a reason says it: "an integer", "a number", "a string", ... */
    private static String aType(Class<?> type) {
        String name = simpleType(type);
        return ("aeiouAEIO".indexOf(name.charAt(0)) >= 0 ? "an " : "a ") + name; // "a UUID"
    }

    private static String simpleType(Class<?> type) {
        if (type == null) {
            return "value of the right type";
        }
        if (type == Integer.class || type == Long.class || type == Short.class || type == Byte.class
                || type == java.math.BigInteger.class || type == int.class || type == long.class || type == short.class
                || type == byte.class) {
            return "integer";
        }
        if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class && type != char.class) {
            return "number";
        }
        if (type == String.class) {
            return "string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "boolean";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "array";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "object";
        }
        if (type == java.util.UUID.class) {
            return "UUID";
        }
        return type.getSimpleName();
    }
}
