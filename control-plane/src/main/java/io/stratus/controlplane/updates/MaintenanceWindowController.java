package io.stratus.controlplane.updates;

import io.stratus.controlplane.databases.DatabaseDirectory;
import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.KeysNeeded;
import io.stratus.controlplane.web.ApiException;
import io.stratus.controlplane.web.RequestExample;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/databases/{id}/maintenance-window}: when a rolling update that respects windows may restart the
 * database's compute. Tenant-scoped like the database: another tenant's id is a 404.
 */
@RestController
@Tag(name = "Maintenance windows", description = "When rolling updates may restart a database's compute.")
class MaintenanceWindowController {

    private final MaintenanceWindows windows;
    private final DatabaseDirectory databases;

    MaintenanceWindowController(MaintenanceWindows windows, DatabaseDirectory databases) {
        this.windows = windows;
        this.databases = databases;
    }

    @PutMapping("/v1/databases/{id}/maintenance-window")
    @ResponseStatus(HttpStatus.OK)
    @Operation(operationId = "setMaintenanceWindow", summary = "Set a database's maintenance window", description = """
            A weekly window, in UTC, when a rolling update that respects maintenance windows may restart the \
            database's compute: `dayOfWeek` (`MON` to `SUN`), `start` (`HH:mm`) and `durationMinutes` (1 to 1440; a \
            window may run past midnight). A database without a window may be restarted at any time. Replaces the \
            window it had. Needs a tenant-admin key of the database's tenant.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    @RequestExample("""
            {"dayOfWeek": "SUN", "start": "02:00", "durationMinutes": 120}""")
    MaintenanceWindow.View put(Caller caller, @PathVariable UUID id, @RequestBody MaintenanceWindow.Request body) {
        // Found first, then the key's role: another tenant's id is a 404 whatever the key.
        requireVisible(caller.tenant(), id);
        caller.requireTenantAdmin();
        List<ApiException.FieldError> errors = new ArrayList<>();
        MaintenanceWindow w = MaintenanceWindow.parse(body, errors);
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        windows.put(id, w);
        return w.view();
    }

    @GetMapping("/v1/databases/{id}/maintenance-window")
    @ResponseStatus(HttpStatus.OK)
    @Operation(operationId = "getMaintenanceWindow", summary = "Get a database's maintenance window", description = """
            The database's window; 404 when it has none (it may be restarted by a rolling update at any time). Any \
            key of the database's tenant.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    MaintenanceWindow.View get(Caller caller, @PathVariable UUID id) {
        requireVisible(caller.tenant(), id);
        return windows.of(id).map(MaintenanceWindow::view)
                .orElseThrow(() -> ApiException.notFound("maintenance window"));
    }

    @DeleteMapping("/v1/databases/{id}/maintenance-window")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(operationId = "deleteMaintenanceWindow", summary = "Remove a database's maintenance window",
            description = """
            Removes the window: rolling updates may restart the compute at any time. Needs a tenant-admin key of the \
            database's tenant.""")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_ADMIN)
    void delete(Caller caller, @PathVariable UUID id) {
        requireVisible(caller.tenant(), id);
        caller.requireTenantAdmin();
        if (!windows.delete(id)) {
            throw ApiException.notFound("maintenance window");
        }
    }

    /** Another tenant's database, or none, is a 404: ids reveal nothing across tenants. */
    private void requireVisible(UUID tenant, UUID databaseId) {
        if (!databases.tenantOf(databaseId).filter(tenant::equals).isPresent()) {
            throw ApiException.notFound("database");
        }
    }
}
