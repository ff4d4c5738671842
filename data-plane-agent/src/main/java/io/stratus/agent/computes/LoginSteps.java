package io.stratus.agent.computes;

import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.protocol.ComputeSpec;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The steps about the tenant's way in: its owner role and database ({@link OwnerAccess}), and whether the owner can
 * actually log in ({@link LoginProbe}).
 */
final class LoginSteps {

    /** A reload is asynchronous: give the postmaster this long to pick up a new pg_hba.conf before calling it failed. */
    private static final int VERIFY_ATTEMPTS = 10;
    private static final Duration VERIFY_PAUSE = Duration.ofMillis(200);

    private final OwnerAccess owner;
    private final LoginProbe probe;

    LoginSteps(OwnerAccess owner, LoginProbe probe) {
        this.owner = owner;
        this.probe = probe;
    }

    StepResult ensureOwnerRoleAndDatabase(Compute c, ComputeSpec spec) throws SQLException {
        return owner.ensure(c.cluster, spec, spec.pgStatStatements()
                && ReleaseCatalog.hasLibrary(c.cluster.release(), ComputeConfig.STAT_STATEMENTS));
    }

    /**
     * Whether the owner can log in: the catalog says so (role, login, verifier, database) and the postmaster answers a
     * startup for it on its socket with a SCRAM challenge. Retried briefly to let a reload land.
     */
    LoginProbe.Result verify(Compute c, ComputeSpec spec) throws SQLException, InterruptedException {
        LoginProbe.Result last = null;
        for (int attempt = 1; attempt <= VERIFY_ATTEMPTS; attempt++) {
            String problem = owner.catalogProblem(c.cluster, spec);
            last = problem != null ? LoginProbe.Result.no(problem)
                    : probe.probe(c.cluster.socketPath(), spec.ownerRole(), spec.databaseName());
            if (last.acceptingLogins()) {
                return last;
            }
            Thread.sleep(VERIFY_PAUSE.toMillis());
        }
        return last;
    }

    /** A socket probe only, for computes adopted before any spec arrived. */
    LoginProbe.Result probe(Compute c, ComputeSpec spec) {
        return probe.probe(c.cluster.socketPath(), spec.ownerRole(), spec.databaseName());
    }
}
