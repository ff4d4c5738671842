package io.stratus.controlplane.tenants;

import io.stratus.controlplane.StratusSettings;
import io.stratus.controlplane.security.ApiKeys;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.web.ApiException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.annotation.Transactional;

/** Creates and looks up tenants; the entry point of the tenants feature. */
@Service
public class TenantDirectory {

    /** What a tenant's name must match: the API's and the console's rule. */
    public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("^[a-z][a-z0-9_-]{0,62}$");

    private final TenantRepository tenants;
    private final JdbcClient jdbc;
    private final StratusSettings settings;
    private final Clock clock;
    private final ApplicationEventPublisher events;
    private final ApiKeys apiKeys;

    TenantDirectory(TenantRepository tenants, JdbcClient jdbc, StratusSettings settings, Clock clock,
                    ApplicationEventPublisher events, ApiKeys apiKeys) {
        this.events = events;
        this.apiKeys = apiKeys;
        this.tenants = tenants;
        this.jdbc = jdbc;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Locks an existing tenant's row until the caller's transaction ends, so that other features' changes to what
     * hangs off one tenant (its plan history, say) are serialised.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lockForUpdate(UUID tenantId) {
        jdbc.sql("select 1 from tenants where id = ? for update").params(tenantId).query(Integer.class).single();
    }

    /**
     * A tenant as the API shows it.
     *
     * @param maxDatabases how many live databases it may have
     * @param maxTotalCu   the most the maxCu of its live databases may add up to; null for no limit beyond the fleet's
     * @param maxStorageBytes the most its live databases may store together ({@code pg_database_size}, bytes); null
     *                     for none
     */
    public record TenantView(UUID id, String name, String state, int maxDatabases, BigDecimal maxTotalCu,
                             Instant createdAt, Long maxStorageBytes) {
    }

    /**
     * Sets a tenant's quotas (the operator's call). Lowering the database or CU quota below what the tenant uses
     * changes none of its databases: it only refuses what would go further. The storage quota is held on disk: a
     * change publishes {@link TenantQuotasChanged}, on which each database's compute gets its new storage limit (one
     * over it is made read-only, one under it writable again).
     */
    @Transactional
    public TenantView setQuotas(UUID tenantId, int databases, BigDecimal totalCu, Long storageBytes) {
        Tenant t = tenants.findById(tenantId).orElseThrow(() -> ApiException.notFound("tenant"));
        boolean storageChanged = !java.util.Objects.equals(t.maxStorageBytes(), storageBytes);
        t.setQuotas(databases, totalCu == null ? null : totalCu.stripTrailingZeros(), storageBytes);
        TenantView view = view(tenants.saveAndFlush(t));
        if (storageChanged) {
            events.publishEvent(new TenantQuotasChanged(tenantId));
        }
        return view;
    }

    @Transactional
    public TenantView create(String name) {
        if (tenants.existsByName(name)) {
            throw ApiException.conflict("tenant-exists", "a tenant named '" + name + "' exists", "name");
        }
        try {
            Tenant t = tenants.saveAndFlush(new Tenant(name, settings.maxDatabasesPerTenant(), clock.instant()));
            return view(t);
        } catch (DataIntegrityViolationException e) {
            throw ApiException.conflict("tenant-exists", "a tenant named '" + name + "' exists", "name");
        }
    }

    /**
     * Deletes the tenant: its API keys stop working and its databases are deleted (see {@link TenantDeleted});
     * its usage, invoices and audit events stay for the operator. Repeating it changes nothing more.
     */
    @Transactional
    public TenantView delete(UUID tenantId) {
        if (!tenants.existsById(tenantId)) {
            throw ApiException.notFound("tenant");
        }
        lockForUpdate(tenantId);
        Tenant t = tenants.findById(tenantId).orElseThrow(() -> ApiException.notFound("tenant"));
        if (!t.deleted()) {
            t.delete();
            tenants.saveAndFlush(t);
            apiKeys.revokeAll(tenantId);
            events.publishEvent(new TenantDeleted(tenantId));
        }
        return view(t);
    }

    /** Throws a 409 for a deleted tenant: nothing new is made for it. */
    public void requireLive(UUID tenantId) {
        if (tenants.findById(tenantId).map(Tenant::deleted).orElse(false)) {
            throw ApiException.conflict("tenant-deleted", "the tenant is deleted", null);
        }
    }

    @Transactional(readOnly = true)
    public Optional<TenantView> find(UUID id) {
        return tenants.findById(id).map(TenantDirectory::view);
    }

    /** The tenants of these ids that exist, in one query. */
    @Transactional(readOnly = true)
    public List<TenantView> findAll(java.util.Collection<UUID> ids) {
        return tenants.findAllById(ids).stream().map(TenantDirectory::view).toList();
    }

    @Transactional(readOnly = true)
    /**
     * The tenant, if the caller may see it: its own tenant, or any for the operator. Another tenant's id answers 404
     * exactly like an id that does not exist, so ids cannot be probed.
     */
    public TenantView visibleTo(Caller caller, UUID id) {
        if (!caller.canSee(id)) {
            throw ApiException.notFound("tenant");
        }
        return find(id).orElseThrow(() -> ApiException.notFound("tenant"));
    }

    public List<TenantView> list() {
        return tenants.findAllByOrderByCreatedAt().stream().map(TenantDirectory::view).toList();
    }

    private static TenantView view(Tenant t) {
        return new TenantView(t.getId(), t.name(), t.state(), t.maxDatabases(), t.maxTotalCu(), t.createdAt(),
                t.maxStorageBytes());
    }
}
