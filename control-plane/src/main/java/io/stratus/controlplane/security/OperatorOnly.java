package io.stratus.controlplane.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an endpoint (or every endpoint of a controller) that only the operator key may call. The caller is checked
 * before anything of the request is read, so a tenant's key gets 403 whatever it sends and learns nothing of the
 * endpoint's rules from a 400 about its body.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface OperatorOnly {
}
