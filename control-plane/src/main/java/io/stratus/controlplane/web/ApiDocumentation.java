package io.stratus.controlplane.web;

import io.swagger.v3.oas.models.Components;
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
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the generated OpenAPI document ({@code /v3/api-docs}) says beyond the controllers' signatures, so that a client
 * generated from it works: every call needs a bearer key (the authenticated caller a controller takes is not a request
 * parameter: the security feature tells springdoc so), and every call can answer with an RFC 9457 problem.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    static final String BEARER = "bearer";
    static final String PROBLEM = "Problem";

    @Bean
    OpenAPI stratusOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Stratus API").version("v1")
                        .description("Serverless PostgreSQL: databases, capacity, usage and billing. "
                                + "Reference: docs/api.md.")
                        .license(new License().name("Apache-2.0")))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("An API key (tenant keys for /v1, the operator key for /v1/admin, a "
                                        + "node credential for /agent/v1): Authorization: Bearer <key>")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
    }

    /** Every operation may fail with a problem: 400 (with field-level errors), 401, 403, 404, 409, 413, 415. */
    @Bean
    OpenApiCustomizer problemResponsesInApiDocs() {
        return api -> {
            // Here, not on the bean above: springdoc drops schemas no generated operation refers to.
            api.getComponents().addSchemas(PROBLEM, problemSchema());
            api.getPaths().values().forEach(path -> path.readOperations().forEach(op -> {
            if (op.getResponses() != null && op.getResponses().getDefault() == null) {
                op.getResponses().setDefault(new ApiResponse()
                        .description("The request failed: an RFC 9457 problem (errors lists each bad field)")
                        .content(new Content().addMediaType("application/problem+json",
                                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)))));
                }
            }));
        };
    }

    private static Schema<?> problemSchema() {
        Schema<?> fieldError = new ObjectSchema()
                .addProperty("field", new StringSchema())
                .addProperty("reason", new StringSchema());
        return new ObjectSchema()
                .addProperty("type", new StringSchema().format("uri"))
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema())
                .addProperty("errors", new ArraySchema().items(fieldError));
    }
}
