package io.stratus.controlplane.web;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

/**
 * Strings must be strings: {@code {"name":true}} or {@code "release":15} is a 400 naming the field, not a database
 * called "true". ({@code allow-coercion-of-scalars: false} in application.yml stops the other direction, "20" for a
 * number.)
 */
@Configuration(proxyBeanMethods = false)
class StrictJsonTypes {

    @Bean
    JsonMapperBuilderCustomizer stringsMustBeStrings() {
        return builder -> builder.withCoercionConfig(LogicalType.Textual, config -> config
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }
}
