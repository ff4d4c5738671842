package io.stratus.controlplane.updates;

import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.ApiException.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The checks a rolling update request passes before anything is looked up: every bad field at once. */
final class RollingUpdateRequests {

    static final int MAX_DATABASE_IDS = 1000;

    private RollingUpdateRequests() {
    }

    /** A request whose fields are good, with the defaults applied. */
    record Valid(RollingUpdates.Target target, RollingUpdates.Selector selector, int canary, int maxUnavailable,
                 int failureThreshold, boolean respectMaintenanceWindows) {
    }

    /** @throws ApiException 400 naming every bad field */
    static Valid validate(RollingUpdates.CreateRequest r) {
        List<FieldError> errors = new ArrayList<>();
        RollingUpdates.Target target = r.target();
        Map<String, String> settings = target == null || target.settings() == null ? Map.of() : target.settings();
        if (target == null) {
            errors.add(new FieldError("target", "is required: a release and/or settings"));
        } else if (target.release() == null && settings.isEmpty()) {
            errors.add(new FieldError("target", "must name a release or settings"));
        } else if (target.release() != null && !target.release().matches("^\\d{2}\\.\\d{1,9}$")) {
            errors.add(new FieldError("target.release", "must be a full Postgres version such as 15.18"));
        }
        errors.addAll(SettingsAllowList.check(settings, "target.settings"));
        RollingUpdates.Selector sel = r.selector();
        if (sel == null) {
            errors.add(new FieldError("selector", "is required: {\"all\": true}, a tenantId, a nodeId or databaseIds"));
        } else {
            int named = (sel.all() != null ? 1 : 0) + (sel.tenantId() != null ? 1 : 0) + (sel.nodeId() != null ? 1 : 0)
                    + (sel.databaseIds() != null ? 1 : 0);
            if (named != 1) {
                errors.add(new FieldError("selector", "must name exactly one of all, tenantId, nodeId, databaseIds"));
            } else if (sel.all() != null && !sel.all()) {
                errors.add(new FieldError("selector.all", "must be true when given"));
            } else if (sel.databaseIds() != null && (sel.databaseIds().isEmpty()
                    || sel.databaseIds().size() > MAX_DATABASE_IDS || sel.databaseIds().contains(null))) {
                errors.add(new FieldError("selector.databaseIds", "must list 1 to " + MAX_DATABASE_IDS + " database ids"));
            }
        }
        int canary = r.canary() == null ? 1 : r.canary();
        int maxUnavailable = r.maxUnavailable() == null ? 1 : r.maxUnavailable();
        int failureThreshold = r.failureThreshold() == null ? 1 : r.failureThreshold();
        if (canary < 0) {
            errors.add(new FieldError("canary", "must be 0 or more"));
        }
        if (maxUnavailable < 1) {
            errors.add(new FieldError("maxUnavailable", "must be at least 1"));
        }
        if (failureThreshold < 1) {
            errors.add(new FieldError("failureThreshold", "must be at least 1"));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new Valid(new RollingUpdates.Target(target.release(), Map.copyOf(settings)), sel, canary, maxUnavailable,
                failureThreshold, Boolean.TRUE.equals(r.respectMaintenanceWindows()));
    }
}
