package io.stratus.agent.computes;

import io.stratus.agent.ComputeConventions;
import io.stratus.postgres.PostgresCluster;
import io.stratus.postgres.PostgresRelease;
import io.stratus.protocol.ComputePhase;
import io.stratus.protocol.ComputeSpec;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A planned restart of a running compute onto another release of its major, or onto other operator settings (a
 * rolling update): new connections are held by the front door for its length, the compute is brought up on the
 * target by the usual full pass, then checked (the server answers with the target's version, the settings are in
 * force without error); a compute that fails any of it goes back to the release and settings it ran before and
 * serves again, and the target is remembered as refused so that the next pass does not try it again.
 *
 * <p>Crash safety comes from the full pass: {@code compute.json} names the previous release until the target is
 * healthy, so an agent killed mid-restart adopts the compute on whichever binaries run, and its next pass switches
 * it onto the spec's release again (and rolls it back if that fails): it ends on one of the two, running.
 */
final class RestartSwitch {

    private static final Logger log = LoggerFactory.getLogger(RestartSwitch.class);
    /** How long a restart waits for connections already past routing to finish their startup. */
    private static final Duration STARTUP_GRACE = Duration.ofSeconds(2);
    private static final long STARTUP_POLL_MILLIS = 2;
    private static final int CHECK_TIMEOUT_SECONDS = 10;

    /** The release and settings the spec asks for that failed on this compute, and why. */
    record Refusal(String release, Map<String, String> settings, String reason) {

        Refusal {
            settings = settings == null ? Map.of() : Map.copyOf(settings);
        }

        boolean refuses(ComputeSpec spec) {
            return Objects.equals(release, spec.release()) && settings.equals(spec.settings());
        }
    }

    /**
     * A planned restart as it went: the spec version it applied, the versions before and after, how long new
     * connections were held (the downtime a client sees as a wait), and the error when it was rolled back.
     */
    record Outcome(long specVersion, String fromRelease, String toRelease, String runningRelease, long heldMillis,
                   String error, Instant at) {

        boolean rolledBack() {
            return error != null;
        }
    }

    /**
     * One full application of a spec onto a release (the usual ensure-steps, ending in {@code compute.json}), with a
     * check run on the started compute before it is recorded and published; null for none.
     */
    @FunctionalInterface
    interface FullPass {
        void apply(ComputeSpec spec, PostgresRelease release, Check check) throws Exception;
    }

    /** A check of a started compute, before it is recorded as applied. */
    @FunctionalInterface
    interface Check {
        void run(PostgresCluster cluster, PostgresRelease release) throws Exception;
    }

    private final NodeBook book;
    private final StartupsInFlight startups;

    RestartSwitch(NodeBook book, StartupsInFlight startups) {
        this.book = book;
        this.startups = startups;
    }

    /**
     * Whether going to this spec is a planned restart: the compute was applied running and runs, and the spec asks for
     * another release or other operator settings. A stopped (suspended) compute is not woken: its next start uses them.
     */
    static boolean applies(Compute c, ComputeSpec spec, PostgresRelease release) {
        return c.applied != null && spec.running() && c.applied.spec().running() && c.cluster != null
                && (!c.applied.release().equals(release.version())
                || !c.applied.spec().settings().equals(spec.settings()))
                && c.cluster.isRunning();
    }

    /** The spec to apply: the wanted one, or, while it asks for a refused target, the same with the previous one's. */
    static ComputeSpec withoutRefused(Compute c, ComputeSpec wanted) {
        if (c.refused == null) {
            return wanted;
        }
        if (c.applied == null) {
            c.refused = null;
            return wanted;
        }
        if (!c.refused.refuses(wanted)) {
            // Forgotten once the control plane asks for something else: a newer spec version. The applied spec itself
            // (what a health pass follows before the control plane has spoken) does not ask for the target either,
            // and must not clear it.
            if (wanted.specVersion() > c.applied.spec().specVersion()) {
                c.refused = null;
            }
            return wanted;
        }
        return previousTarget(wanted, c.applied.spec());
    }

    void restart(Compute c, ComputeSpec spec, PostgresRelease release, FullPass pass) throws Exception {
        AppliedCompute before = c.applied;
        PostgresRelease previousRelease = c.cluster.release();
        String from = before.release();
        // Held from here: the front door finds no socket and waits (polling) instead of connecting.
        NodeBook.setStatus(c, book.status(c, ComputePhase.STARTING, from, false, "restarting onto Postgres "
                + release.version()));
        long held = System.nanoTime();
        awaitStartups(c);
        log.info("planned restart from Postgres {} to {}{}", from, release.version(),
                before.spec().settings().equals(spec.settings()) ? "" : " with settings " + spec.settings());
        try {
            pass.apply(spec, release, (cluster, started) -> check(cluster, started, spec.settings()));
            long ms = (System.nanoTime() - held) / 1_000_000;
            c.lastSwitch = new Outcome(spec.specVersion(), from, release.version(), release.version(), ms, null,
                    Instant.now());
            log.info("running on Postgres {} after {} ms of held connections", release.version(), ms);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String reason = e instanceof ComputeFailure ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
            log.warn("Postgres {} failed on this compute; going back to {}: {}", release.version(), from, reason);
            if (c.cluster != null && c.cluster.isRunning()) {
                c.cluster.stop();
            }
            c.refused = new Refusal(spec.release(), spec.settings(), firstLine(reason));
            ComputeSpec back = previousTarget(spec, before.spec());
            // A failure here propagates: the compute is failed, and its retries apply the previous target too.
            pass.apply(back, previousRelease, null);
            long ms = (System.nanoTime() - held) / 1_000_000;
            c.note = "kept Postgres " + from + ": " + release.version() + " failed (" + firstLine(reason) + ")";
            NodeBook.setStatus(c, c.status.withMessage(c.note));
            c.lastSwitch = new Outcome(spec.specVersion(), from, release.version(), previousRelease.version(), ms,
                    firstLine(reason), Instant.now());
        }
    }

    private void awaitStartups(Compute c) throws InterruptedException {
        long until = System.nanoTime() + STARTUP_GRACE.toNanos();
        while (startups.of(c.id) > 0 && System.nanoTime() - until < 0) {
            Thread.sleep(STARTUP_POLL_MILLIS);
        }
    }

    /**
     * The health check beyond the full pass (which already saw the owner's login answered): the server is the target
     * release, and each operator setting is in the settings file without error, applied, and not waiting for a restart.
     */
    static void check(PostgresCluster cluster, PostgresRelease release, Map<String, String> settings) throws Exception {
        try (Connection conn = ComputeConventions.maintenanceConnection(cluster, "stratus-agent-restart",
                CHECK_TIMEOUT_SECONDS); Statement st = conn.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT version(), current_setting('server_version_num')::int")) {
                rs.next();
                int wanted = release.major() * 10000 + release.minor();
                if (rs.getInt(2) != wanted) {
                    throw new ComputeFailure("the server answers " + rs.getString(1) + ", not Postgres " + release.version());
                }
            }
            if (settings.isEmpty()) {
                return;
            }
            List<String> problems = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT f.name, f.error, f.applied, s.pending_restart "
                    + "FROM pg_file_settings f LEFT JOIN pg_settings s ON s.name = f.name "
                    + "WHERE f.name = ANY (?) AND f.sourcefile LIKE '%/" + PostgresCluster.SETTINGS_FILE + "'")) {
                Array names = conn.createArrayOf("text", settings.keySet().toArray());
                ps.setArray(1, names);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rs.getString(2) != null) {
                            problems.add(rs.getString(1) + ": " + rs.getString(2));
                        } else if (!rs.getBoolean(3) || rs.getBoolean(4)) {
                            problems.add(rs.getString(1) + " is not in force");
                        }
                    }
                }
            }
            if (!problems.isEmpty()) {
                throw new ComputeFailure("settings refused by the server: " + String.join("; ", problems));
            }
        }
    }

    private static ComputeSpec previousTarget(ComputeSpec wanted, ComputeSpec previous) {
        return wanted.toBuilder().release(previous.release()).settings(previous.settings()).build();
    }

    /** A failure in a line: pg_ctl's output and the log tail run over many, the item's error is read in a table. */
    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        String line = s.strip().replaceAll("\\s*\\n\\s*", " / ");
        return line.length() <= 400 ? line : line.substring(0, 400) + "...";
    }
}
