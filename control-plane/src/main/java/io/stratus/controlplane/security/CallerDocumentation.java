package io.stratus.controlplane.security;

import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Configuration;

/**
 * Tells springdoc that the {@link Caller} a controller takes is resolved from the Authorization header, never sent as
 * a request parameter, so the OpenAPI document does not list it.
 */
@Configuration(proxyBeanMethods = false)
class CallerDocumentation {

    static {
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }
}
