package io.stratus.controlplane.console;

import io.stratus.controlplane.databases.DatabaseProvisioning;
import io.stratus.controlplane.updates.RollingUpdates;
import io.swagger.v3.oas.annotations.Hidden;
import java.util.UUID;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.server.ResponseStatusException;

/**
 * Rolling updates, read-only: the list and one update with its items, refreshed live. Starting, pausing and rolling
 * back stay in the API ({@code /v1/admin/rolling-updates}).
 */
@Controller
@Hidden
class UpdatePages {

    private static final int LISTED = 50;

    private final RollingUpdates updates;
    private final DatabaseProvisioning databases;

    UpdatePages(RollingUpdates updates, DatabaseProvisioning databases) {
        this.updates = updates;
        this.databases = databases;
    }

    @GetMapping("/console/rolling-updates")
    String list(Model model) {
        model.addAttribute("updates", updates.list(LISTED));
        return "console/rolling-updates";
    }

    @GetMapping("/console/rolling-updates/rows")
    String listRows(Model model) {
        model.addAttribute("updates", updates.list(LISTED));
        return "console/rolling-updates :: rows";
    }

    @GetMapping("/console/rolling-updates/{id}")
    String update(@PathVariable UUID id, Model model) {
        updateModel(id, model);
        return "console/rolling-update";
    }

    @GetMapping("/console/rolling-updates/{id}/live")
    String updateLive(@PathVariable UUID id, Model model) {
        updateModel(id, model);
        return "console/rolling-update :: live";
    }

    private void updateModel(UUID id, Model model) {
        RollingUpdates.RollingUpdateView update = updates.find(id)
                .orElseThrow(() -> new ResponseStatusException(org.springframework.http.HttpStatus.NOT_FOUND));
        model.addAttribute("update", update);
        model.addAttribute("databaseNames", databases.names(update.items().stream()
                .map(RollingUpdates.ItemView::databaseId).toList()));
    }
}
