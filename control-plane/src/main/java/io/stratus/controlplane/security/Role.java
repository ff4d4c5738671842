package io.stratus.controlplane.security;

import com.fasterxml.jackson.annotation.JsonValue;

/** What an API key may do. */
public enum Role {
    /** Runs the platform: tenants, nodes, admin API. Belongs to no tenant. */
    OPERATOR("operator"),
    /** Full control of one tenant's resources. */
    TENANT_ADMIN("tenant-admin"),
    /** Reads one tenant's resources. */
    TENANT_READ("tenant-read");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static java.util.Optional<Role> fromWire(String s) {
        for (Role r : values()) {
            if (r.wireName.equals(s)) {
                return java.util.Optional.of(r);
            }
        }
        return java.util.Optional.empty();
    }
}
