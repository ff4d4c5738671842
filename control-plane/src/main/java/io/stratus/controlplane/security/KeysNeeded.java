package io.stratus.controlplane.security;

/**
 * The 403 answers of the OpenAPI document, for operations whose handler checks the key itself ({@link Caller}); an
 * {@link OperatorOnly} one's is derived (see {@link CallerDocumentation}).
 */
public final class KeysNeeded {

    /** An operation on the tenant's databases that changes something. */
    public static final String TENANT_ADMIN = "A tenant-admin key is needed: a read-only key may only read, and "
            + "databases belong to tenants, not to the operator.";

    /** An operation on the tenant's databases (or their operations) that only reads. */
    public static final String TENANT_KEY = "A tenant's key is needed: databases and their operations belong to "
            + "tenants, not to the operator.";

    /** Managing a tenant's API keys. */
    public static final String OPERATOR_OR_TENANT_ADMIN = "The operator key or a tenant-admin key of the tenant is "
            + "needed: a read-only key may not manage keys.";

    private KeysNeeded() {
    }
}
