package io.stratus.agent.computes;

import io.stratus.agent.ComputeConventions;
import io.stratus.protocol.ComputeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The step that holds a compute to its storage limit ({@link StorageGuard} decides, this carries it out).
 *
 * <p>Read-only means a hot standby of nothing: {@code standby.signal} in the data directory and no
 * {@code primary_conninfo} or {@code restore_command}, so the postmaster starts in recovery, replays its own WAL and
 * then waits for WAL that never comes. Reads work; every write, DDL and {@code nextval} fails with SQLSTATE 25006, and
 * no session can undo it: {@code default_transaction_read_only} and {@code transaction_read_only} are user-settable,
 * but {@code SET transaction_read_only = off} in recovery is refused ("cannot set transaction read-write mode during
 * recovery"). Entering it takes a restart (open sessions end with 57P01); leaving it is {@code pg_promote()}, no
 * restart. What is on disk is the truth: after a kill -9 of the agent, the next pass measures again and makes the file
 * and the spec agree.
 */
final class StorageSteps {

    /** Postgres' marker for a start in standby mode (12+); removed by Postgres itself at promotion. */
    static final String STANDBY_SIGNAL = "standby.signal";
    /** How long pg_promote waits for the end of recovery; one WAL file at most is left to replay. */
    private static final int PROMOTE_WAIT_SECONDS = 60;
    private static final int SOCKET_TIMEOUT_SECONDS = 90;
    private static final String READ = "SELECT pg_database_size(?), pg_is_in_recovery()";

    /** What a compute stores and whether it is read-only now. */
    record Reading(long storedBytes, boolean readOnly) {
    }

    /**
     * Measures a running compute against the spec's storage limit and makes it read-only or writable as the limit asks.
     * A compute with no limit that is not read-only is not even measured. A stopped one is not measured at all: a
     * {@code standby.signal} stays for its next start, whose full pass decides again.
     */
    StepResult ensureStorageLimit(Compute c, ComputeSpec spec) throws SQLException {
        Path signal = signal(c);
        if (!spec.running() || !c.cluster.isRunning()) {
            return StepResult.UNCHANGED;
        }
        if (spec.storageLimitBytes() == null && !Files.exists(signal) && !c.storageLimited) {
            c.storedBytes = null;
            return StepResult.UNCHANGED;
        }
        Reading now = read(c, spec.databaseName());
        c.storedBytes = now.storedBytes();
        String stores = "stores " + now.storedBytes() + " bytes, limit "
                + (spec.storageLimitBytes() == null ? "none" : spec.storageLimitBytes() + " bytes");
        switch (StorageGuard.decide(spec.storageLimitBytes(), now.storedBytes(), now.readOnly())) {
            case LIMIT -> {
                if (c.limitRefusedAtSpec != null && c.limitRefusedAtSpec == spec.specVersion()) {
                    // It could not start read-only at this spec (see below): not again every check, only for a new spec.
                    c.storageLimited = false;
                    return StepResult.UNCHANGED;
                }
                restartReadOnly(c, signal, spec);
                c.storageLimited = true;
                return new StepResult.Changed("read-only (" + stores + "): restarted as a standby");
            }
            case LIFT -> {
                promote(c);
                c.storageLimited = false;
                return new StepResult.Changed("writable again (" + stores + "): promoted");
            }
            case KEEP -> {
                c.storageLimited = now.readOnly();
                if (!now.readOnly() && Files.exists(signal)) {
                    // Written by a pass that died before its restart: it would make the next start read-only.
                    deleteSignal(signal);
                    return new StepResult.Deleted(STANDBY_SIGNAL + " left by an interrupted limit (" + stores + ")");
                }
                return StepResult.UNCHANGED;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /**
     * Whether the compute may be read-only for its limit: it was when last observed, or a {@code standby.signal} is on
     * disk (a compute adopted after a kill -9, or a limit interrupted before its restart). A file check, no connection.
     */
    boolean mayBeReadOnly(Compute c) {
        return c.storageLimited || Files.exists(signal(c));
    }

    /**
     * Whether the running compute is read-only (in recovery) now. Without {@code standby.signal} it cannot be (the agent
     * writes no other recovery signal), so a compute never limited costs no connection here.
     */
    boolean readOnly(Compute c) throws SQLException {
        if (!Files.exists(signal(c)) || !c.cluster.isRunning()) {
            return false;
        }
        try (Connection conn = ComputeConventions.maintenanceConnection(c.cluster, "stratus-agent", SOCKET_TIMEOUT_SECONDS);
             ResultSet rs = conn.createStatement().executeQuery("SELECT pg_is_in_recovery()")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /**
     * Makes a read-only compute writable, for the agent's own catalog changes (a new password, a new role) that a
     * standby cannot take; the storage step later in the same pass makes it read-only again if it is still over.
     */
    StepResult liftForCatalogChanges(Compute c) throws SQLException {
        promote(c);
        c.storageLimited = false;
        return new StepResult.Changed("promoted for the agent's catalog changes; the storage step decides again");
    }

    private Reading read(Compute c, String database) throws SQLException {
        try (Connection conn = ComputeConventions.maintenanceConnection(c.cluster, "stratus-agent", SOCKET_TIMEOUT_SECONDS);
             PreparedStatement ps = conn.prepareStatement(READ)) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no size for database " + database);
                }
                return new Reading(rs.getLong(1), rs.getBoolean(2));
            }
        }
    }

    /**
     * Signal file first, then the restart: a crash in between leaves a writable postmaster and the file, which the next
     * check finds (over: restart; under: the file deleted). A postmaster that cannot start as a standby (a hot standby
     * needs max_connections and the like at least what the primary last ran with, and a range lowered while it ran is
     * only applied at this start) is started writable again rather than left down, and not retried at this spec.
     */
    private static void restartReadOnly(Compute c, Path signal, ComputeSpec spec) {
        try {
            Files.writeString(signal, "");
            c.cluster.user().own(signal);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + signal, e);
        }
        c.cluster.stop();
        try {
            c.cluster.start();
        } catch (RuntimeException standbyFailed) {
            deleteSignal(signal);
            c.cluster.start();
            c.limitRefusedAtSpec = spec.specVersion();
            throw new ComputeFailure("cannot run read-only over its storage limit, left writable: "
                    + standbyFailed.getMessage());
        }
    }

    private static void promote(Compute c) throws SQLException {
        try (Connection conn = ComputeConventions.maintenanceConnection(c.cluster, "stratus-agent", SOCKET_TIMEOUT_SECONDS);
             PreparedStatement ps = conn.prepareStatement("SELECT pg_promote(true, ?)")) {
            ps.setInt(1, PROMOTE_WAIT_SECONDS);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    throw new ComputeFailure("promotion did not finish within " + PROMOTE_WAIT_SECONDS + " s");
                }
            }
        }
    }

    private static Path signal(Compute c) {
        return c.cluster.dataDir().resolve(STANDBY_SIGNAL);
    }

    private static void deleteSignal(Path signal) {
        try {
            Files.deleteIfExists(signal);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + signal, e);
        }
    }
}
