package io.stratus.agent.computes;

import io.stratus.agent.AgentPaths;
import io.stratus.agent.capacity.CapacityUnit;
import io.stratus.agent.capacity.CgroupDriver;
import io.stratus.agent.capacity.CgroupException;
import io.stratus.agent.pool.WarmPool;
import io.stratus.agent.releases.ReleaseCatalog;
import io.stratus.postgres.OsUser;
import io.stratus.postgres.PostgresRelease;
import io.stratus.protocol.ComputeSpec;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.UUID;
import org.slf4j.LoggerFactory;

/**
 * The idempotent steps that bring one compute to its spec. Each looks before it acts and says what it did; none
 * remembers anything between calls beyond what it finds on disk and in the {@link Compute}.
 *
 * <p>The one place the passes (application, deletion, adoption, health) take their steps from; the steps themselves
 * live with their subject: {@link DataDirectorySteps}, {@link ConfigurationSteps}, {@link PostmasterSteps},
 * {@link CapacitySteps}, {@link LoginSteps}.
 */
final class ComputeSteps {

    private final DataDirectorySteps dataDirectory;
    private final ConfigurationSteps configuration;
    private final PostmasterSteps postmaster;
    private final CapacitySteps capacity;
    private final LoginSteps login;
    private final StorageSteps storage;
    private final OwnerAccess owner;

    ComputeSteps(AgentPaths paths, ReleaseCatalog releases, WarmPool pool, OsUser user, OwnerAccess owner,
                 LoginProbe probe, CgroupDriver cgroups, CapacityUnit unit, ComputeBackups backups,
                 Runnable reconcileAgain) {
        this(new DataDirectorySteps(paths, releases, pool, user, backups, reconcileAgain),
                new ConfigurationSteps(paths, unit, backups),
                new PostmasterSteps(), new CapacitySteps(cgroups, unit), new LoginSteps(owner, probe),
                new StorageSteps(), owner);
    }

    ComputeSteps(DataDirectorySteps dataDirectory, ConfigurationSteps configuration, PostmasterSteps postmaster,
                 CapacitySteps capacity, LoginSteps login, StorageSteps storage, OwnerAccess owner) {
        this.storage = storage;
        this.owner = owner;
        this.dataDirectory = dataDirectory;
        this.configuration = configuration;
        this.postmaster = postmaster;
        this.capacity = capacity;
        this.login = login;
    }

    /** See {@link DataDirectorySteps#releaseFor}. */
    PostgresRelease releaseFor(ComputeSpec spec) {
        return dataDirectory.releaseFor(spec);
    }

    /** See {@link DataDirectorySteps#ensureDataDirectory}. */
    StepResult ensureDataDirectory(Compute c, ComputeSpec spec, PostgresRelease release) {
        return dataDirectory.ensureDataDirectory(c, spec, release);
    }

    /** See {@link ConfigurationSteps#ensureConfigured}. */
    StepResult ensureConfigured(Compute c, ComputeSpec spec, boolean unapplied) {
        return configuration.ensureConfigured(c, spec, unapplied);
    }

    /** See {@link PostmasterSteps#ensureRunning}. */
    StepResult ensureRunning(Compute c) {
        return postmaster.ensureRunning(c);
    }

    /** See {@link PostmasterSteps#ensureStopped}. */
    StepResult ensureStopped(Compute c) {
        return postmaster.ensureStopped(c);
    }

    /** See {@link CapacitySteps#ensureCapacity}. */
    StepResult ensureCapacity(Compute c, BigDecimal cu) {
        return capacity.ensureCapacity(c, cu);
    }

    /** See {@link CapacitySteps#ensureEnrolled}. */
    StepResult ensureEnrolled(Compute c, BigDecimal cu) {
        return capacity.ensureEnrolled(c, cu);
    }

    /** See {@link CapacitySteps#preApplyCapacity}. */
    boolean preApplyCapacity(UUID computeId, BigDecimal cu) throws CgroupException {
        return capacity.preApplyCapacity(computeId, cu);
    }

    /** See {@link CapacitySteps#removeCapacity}. */
    StepResult removeCapacity(UUID computeId) {
        return capacity.removeCapacity(computeId);
    }

    /**
     * See {@link LoginSteps#ensureOwnerRoleAndDatabase}. A read-only compute (over its storage limit) cannot take the
     * agent's writes either: when its catalog already is as the spec says, nothing is written; else it is made
     * writable for them, and {@link #ensureStorageLimit}, next in the pass, decides again.
     */
    StepResult ensureOwnerRoleAndDatabase(Compute c, ComputeSpec spec) throws SQLException {
        if (storage.readOnly(c)) {
            if (owner.inAgreement(c.cluster, spec)) {
                return StepResult.UNCHANGED;
            }
            StepResult.log(LoggerFactory.getLogger(ComputeSteps.class), "liftForCatalogChanges",
                    storage.liftForCatalogChanges(c));
        }
        return login.ensureOwnerRoleAndDatabase(c, spec);
    }

    /** See {@link StorageSteps#mayBeReadOnly}. */
    boolean mayBeReadOnly(Compute c) {
        return storage.mayBeReadOnly(c);
    }

    /** See {@link StorageSteps#ensureStorageLimit}. */
    StepResult ensureStorageLimit(Compute c, ComputeSpec spec) throws SQLException {
        return storage.ensureStorageLimit(c, spec);
    }

    /** See {@link LoginSteps#verify}. */
    LoginProbe.Result verify(Compute c, ComputeSpec spec) throws SQLException, InterruptedException {
        return login.verify(c, spec);
    }

    /** See {@link LoginSteps#probe}. */
    LoginProbe.Result probe(Compute c, ComputeSpec spec) {
        return login.probe(c, spec);
    }
}
