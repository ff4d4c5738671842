package io.stratus.controlplane.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An example of the JSON body an endpoint takes, shown in the OpenAPI document (see {@link ApiDocumentation}); the
 * build's lint checks it against the body's schema, so it cannot drift into a request the API would refuse.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RequestExample {

    /** The body, as JSON. */
    String value();
}
