package io.stratus.agent.computes;

import io.stratus.agent.ComputeConventions;
import io.stratus.protocol.ComputeSpec;
import io.stratus.protocol.RoleSpec;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks and quotes what goes into SQL and pg_hba.conf. Names come from the control plane, but the agent still
 * validates them before building any statement: a compromised or buggy control plane must not be able to inject SQL
 * into a compute where the agent is superuser.
 */
public final class SqlText {

    static final Pattern IDENTIFIER = Pattern.compile("^[a-z][a-z0-9_]{0,62}$");
    /** {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, base64 parts, as Postgres stores it. */
    static final Pattern SCRAM_VERIFIER = Pattern.compile(
            "^SCRAM-SHA-256\\$[1-9][0-9]{0,9}:[A-Za-z0-9+/]+={0,2}\\$[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$");

    private static final Set<String> RESERVED_DATABASES = Set.of("postgres", "template0", "template1");
    private static final Set<String> RESERVED_ROLES = Set.of(ComputeConventions.SUPERUSER, "postgres", "public", "none");

    private SqlText() {
    }

    /** Throws {@link ComputeFailure} naming the first thing wrong with the spec's names or verifier. */
    static void validate(ComputeSpec spec) {
        checkIdentifier("database name", spec.databaseName());
        checkIdentifier("owner role", spec.ownerRole());
        if (RESERVED_DATABASES.contains(spec.databaseName())) {
            throw new ComputeFailure("invalid spec: database name '" + spec.databaseName() + "' is reserved");
        }
        // Postgres itself reserves pg_* role names.
        if (RESERVED_ROLES.contains(spec.ownerRole()) || spec.ownerRole().startsWith("pg_")) {
            throw new ComputeFailure("invalid spec: owner role '" + spec.ownerRole() + "' is reserved");
        }
        if (spec.ownerVerifier() == null || !SCRAM_VERIFIER.matcher(spec.ownerVerifier()).matches()) {
            throw new ComputeFailure("invalid spec: owner verifier is not a SCRAM-SHA-256 verifier");
        }
        Set<String> names = new java.util.HashSet<>();
        for (RoleSpec role : spec.roles()) {
            checkIdentifier("role", role.name());
            if (RESERVED_ROLES.contains(role.name()) || role.name().startsWith("pg_")
                    || role.name().equals(spec.ownerRole()) || !names.add(role.name())) {
                throw new ComputeFailure("invalid spec: role '" + role.name() + "' is reserved, the owner or twice");
            }
            if (role.verifier() == null || !SCRAM_VERIFIER.matcher(role.verifier()).matches()) {
                throw new ComputeFailure("invalid spec: the verifier of role '" + role.name() + "' is not SCRAM-SHA-256");
            }
        }
    }

    /** The name double-quoted, after checking it against {@link #IDENTIFIER} (so it holds no quote to escape). */
    public static String identifier(String name) {
        checkIdentifier("identifier", name);
        return '"' + name + '"';
    }

    /** The verifier as a string literal, after checking its format. */
    static String verifierLiteral(String verifier) {
        if (verifier == null || !SCRAM_VERIFIER.matcher(verifier).matches()) {
            throw new ComputeFailure("not a SCRAM-SHA-256 verifier");
        }
        return literal(verifier);
    }

    /** A string literal with single quotes doubled (standard_conforming_strings is on: backslashes are plain). */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static void checkIdentifier(String what, String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new ComputeFailure("invalid spec: " + what + " '" + name + "' does not match " + IDENTIFIER.pattern());
        }
    }
}
