package io.stratus.protocol;

/**
 * A login role of the tenant's besides the owner, in the database's compute.
 *
 * @param name     the role's name (validated like the owner's)
 * @param verifier SCRAM-SHA-256 verifier of its password; the password itself is never sent
 * @param readOnly reads every table of the database and writes nothing; else reads and writes rows (never DDL)
 */
public record RoleSpec(String name, String verifier, boolean readOnly) {
}
