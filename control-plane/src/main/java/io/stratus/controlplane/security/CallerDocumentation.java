package io.stratus.controlplane.security;

import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the OpenAPI document says about who calls. The {@link Caller} a controller takes is resolved from the
 * Authorization header, never sent as a request parameter, so the document does not list it. Every operation names the
 * bearer scheme it needs and can answer 401 (no valid key) and 429 (a tenant key over its rate); an
 * {@link OperatorOnly} one answers 403 to any other key. Which tenant key an operation needs, where that is not any of
 * the tenant's, its own description and 403 response say. The problem body of these responses is added with every
 * other error's (see {@code web.ApiDocumentation}).
 */
@Configuration(proxyBeanMethods = false)
class CallerDocumentation {

    /** The security scheme's name in the document. */
    static final String BEARER = "bearer";

    static {
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    @Bean
    OpenApiCustomizer bearerSchemeInApiDocs() {
        return api -> api.getComponents().addSecuritySchemes(BEARER, new SecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("stk_...")
                .description("An API key, sent as `Authorization: Bearer <key>`. A tenant's keys (`tenant-admin`, or "
                        + "`tenant-read` for reading only) act on that tenant; the operator key runs the platform "
                        + "(tenants, plans, `/v1/admin`) and has no databases of its own. Each operation says which "
                        + "keys it takes."));
    }

    @Bean
    OperationCustomizer accessInApiDocs() {
        return (operation, handler) -> {
            operation.addSecurityItem(new SecurityRequirement().addList(BEARER));
            ApiResponses responses = operation.getResponses();
            responses.putIfAbsent("401", new ApiResponse()
                    .description("No valid API key: none was sent, or it is unknown, revoked or expired.")
                    .addHeaderObject("WWW-Authenticate", new Header()
                            .description("`Bearer realm=\"stratus\"`").schema(new StringSchema())));
            if (OperatorOnlyInterceptor.isOperatorOnly(handler)) {
                responses.putIfAbsent("403", new ApiResponse().description("Only the operator key may call this: "
                        + "any other key is refused before anything of the request is read."));
            }
            responses.putIfAbsent("429", new ApiResponse()
                    .description("The tenant key, or its tenant's keys together, are over their request rate "
                            + "(the operator key is not limited); nothing ran.")
                    .addHeaderObject("Retry-After", new Header()
                            .description("Seconds until a request may succeed").schema(new IntegerSchema())));
            return operation;
        };
    }
}
