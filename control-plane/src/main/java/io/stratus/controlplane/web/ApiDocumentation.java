package io.stratus.controlplane.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.method.HandlerMethod;

/**
 * What the generated OpenAPI document ({@code /v3/api-docs}) says beyond the controllers' signatures and their
 * {@code @Operation}s, so that tools can trust it: every error an operation can answer is listed with its status and
 * is an RFC 9457 problem. The statuses every operation of a kind can answer are derived here from the handler: 400
 * where it reads a body or a query or header parameter (or refuses a body it does not take), 404 where the path names
 * something, 413 where a body is read, 415 where a JSON body is taken, 500 everywhere; the caller's 401, 403 and 429
 * come from {@code security.CallerDocumentation}. What only an operation knows (a 403 for a read-only key, its 409s) it
 * declares with {@code @ApiResponse}, with no content: the problem schema is filled in here. (A handler with
 * {@code @ApiResponse}s and no {@code @ResponseStatus} then declares its 200 too: springdoc lists no success response
 * for it otherwise.) Request bodies get their {@link RequestExample}.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    static final String PROBLEM = "Problem";
    static final String PROBLEM_JSON = "application/problem+json";

    @Bean
    OpenAPI stratusOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Stratus API").version("v1")
                        .description("Serverless PostgreSQL: databases, capacity, usage and billing. Every error is "
                                + "an RFC 9457 problem (`application/problem+json`); a refused request changes "
                                + "nothing. Reference: docs/api.md.")
                        .license(new License().name("Apache-2.0").identifier("Apache-2.0")));
    }

    /** The statuses derived from the handler, each added unless the operation declares it itself. */
    @Bean
    OperationCustomizer derivedProblemResponses() {
        return (operation, handler) -> {
            Set<String> declared = declaredWithContent(handler);
            ApiResponses responses = operation.getResponses();
            // springdoc gives a declared response without content the operation's own body: an error has none.
            responses.forEach((code, response) -> {
                if (isError(code) && !declared.contains(code)) {
                    response.setContent(null);
                }
            });
            boolean readsBody = !"GET".equals(httpMethod(handler));
            boolean takesBody = has(handler, RequestBody.class);
            boolean takesParameters = has(handler, RequestParam.class) || has(handler, RequestHeader.class);
            if (takesBody || takesParameters) {
                responses.putIfAbsent("400", new ApiResponse().description(takesBody
                        ? "The request is invalid: every bad field is named in `errors` (unknown or repeated fields "
                        + "and values of the wrong JSON type are refused too)."
                        : "A query parameter is invalid: each bad one is named in `errors`."));
            } else if (readsBody) {
                responses.putIfAbsent("400", new ApiResponse().description(
                        "A body was sent: this operation takes none (an empty body or `{}` is fine)."));
            }
            if (has(handler, PathVariable.class)) {
                responses.putIfAbsent("404", new ApiResponse().description("The path names nothing this key can see: "
                        + "an unknown id and another tenant's id answer alike."));
            }
            if (readsBody) {
                responses.putIfAbsent("413", new ApiResponse().description(
                        "The body is larger than the limit (`stratus.max-request-bytes`, 64 KiB by default)."));
            }
            if (takesBody) {
                responses.putIfAbsent("415", new ApiResponse().description("The body is not `application/json`."));
            }
            responses.putIfAbsent("500", new ApiResponse().description("An unexpected error; nothing was changed if "
                    + "the request failed before completion."));
            RequestExample example = handler.getMethodAnnotation(RequestExample.class);
            if (example != null) {
                operation.getRequestBody().getContent().values().forEach(media -> media.example(json(example.value())));
            }
            return operation;
        };
    }

    /**
     * Every error response is a problem (a declared one may add a body of its own, as a create whose operation failed
     * does); any status not listed, such as 405 or 406, is one too.
     */
    @Bean
    OpenApiCustomizer problemResponsesInApiDocs() {
        return api -> {
            // Here, not on the bean above: springdoc drops schemas no generated operation refers to.
            api.getComponents().addSchemas(PROBLEM, problemSchema());
            api.getPaths().values().forEach(path -> path.readOperations().forEach(op -> {
                ApiResponses responses = sortedByStatus(op.getResponses());
                op.setResponses(responses);
                responses.forEach((code, response) -> {
                    if (isError(code)) {
                        if (response.getContent() == null) {
                            response.setContent(new Content());
                        }
                        response.getContent().putIfAbsent(PROBLEM_JSON, problem());
                    }
                });
                responses.setDefault(new ApiResponse()
                        .description("Any other error (such as 405, 406 or 408): an RFC 9457 problem.")
                        .content(new Content().addMediaType(PROBLEM_JSON, problem())));
            }));
        };
    }

    /** In status order, as a reader looks them up; {@code default} last. */
    private static ApiResponses sortedByStatus(ApiResponses responses) {
        ApiResponses sorted = new ApiResponses();
        responses.keySet().stream().filter(code -> !code.equals("default")).sorted()
                .forEach(code -> sorted.addApiResponse(code, responses.get(code)));
        return sorted;
    }

    /** Parsed by swagger's own mapper, which writes the document. */
    private static Object json(String value) {
        try {
            return Json.mapper().readTree(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a @RequestExample is not JSON: " + value, e);
        }
    }

    private static MediaType problem() {
        return new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM));
    }

    private static boolean isError(String code) {
        return code.startsWith("4") || code.startsWith("5");
    }

    /** The statuses the handler's {@code @ApiResponse}s give a body of their own. */
    private static Set<String> declaredWithContent(HandlerMethod handler) {
        return AnnotatedElementUtils.findMergedRepeatableAnnotations(handler.getMethod(),
                        io.swagger.v3.oas.annotations.responses.ApiResponse.class,
                        io.swagger.v3.oas.annotations.responses.ApiResponses.class).stream()
                .filter(r -> r.content().length > 0)
                .map(io.swagger.v3.oas.annotations.responses.ApiResponse::responseCode)
                .collect(Collectors.toSet());
    }

    private static boolean has(HandlerMethod handler, Class<? extends java.lang.annotation.Annotation> annotation) {
        return Arrays.stream(handler.getMethodParameters()).anyMatch(p -> p.hasParameterAnnotation(annotation));
    }

    private static String httpMethod(HandlerMethod handler) {
        RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), RequestMapping.class);
        return mapping == null || mapping.method().length == 0 ? "GET" : mapping.method()[0].name();
    }

    private static Schema<?> problemSchema() {
        Schema<?> fieldError = new ObjectSchema()
                .description("A field (or parameter) at fault, and why")
                .addProperty("field", new StringSchema().description("The field, dotted for nested ones (`a.b`)"))
                .addProperty("reason", new StringSchema());
        return new ObjectSchema()
                .description("An RFC 9457 problem")
                .addProperty("type", new StringSchema().format("uri")
                        .description("What went wrong, as a URI: `https://stratus.dev/problems/<kind>`, e.g. "
                                + "`invalid-request`, `not-found`, `forbidden`, `quota-exceeded`, `rate-limited`"))
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema())
                .addProperty("errors", new ArraySchema().items(fieldError)
                        .description("Every field at fault, when fields are"));
    }
}
