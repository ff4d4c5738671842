package io.stratus.agent.metering;

/**
 * What a statement counts as: a request whose rows are read, written, or neither (DDL, SET, ...); or transaction
 * control, which is no request at all.
 */
public enum StatementKind {
    READ,
    WRITE,
    OTHER,
    /**
     * BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK, ABORT, SAVEPOINT, RELEASE, PREPARE TRANSACTION, COMMIT/ROLLBACK
     * PREPARED: the framing around requests, not requests. Not counted because pg_stat_statements cannot count them
     * exactly: a utility statement a client re-executes from a named prepared statement (pgbench -M prepared, pgjdbc's
     * COMMIT after five transactions) is recorded on its first execution only, while the same statement sent as text
     * is recorded every time. Counting none of them makes a request the same thing whatever the protocol.
     */
    TRANSACTION_CONTROL
}
