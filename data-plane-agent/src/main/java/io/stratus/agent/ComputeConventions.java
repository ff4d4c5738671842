package io.stratus.agent;

/** Names every compute on every node shares. */
public final class ComputeConventions {

    /**
     * The agent's superuser in each compute: created by initdb without a password, so it logs in only over the Unix
     * socket (trust), whose directory only the Postgres OS user and root can enter.
     */
    public static final String SUPERUSER = "stratus_agent";

    /** Where the agent runs all of its own queries, so that none of them lands in (or is billed to) a tenant's database. */
    public static final String MAINTENANCE_DATABASE = "postgres";

    private ComputeConventions() {
    }
}
