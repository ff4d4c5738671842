package io.stratus.controlplane.operations;

import io.stratus.controlplane.security.Caller;
import io.stratus.controlplane.security.KeysNeeded;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/operations/{id}}: poll an operation of the caller's tenant. */
@RestController
@Tag(name = "Operations", description = "The changes a request started, polled until the data plane was observed in "
        + "the desired state.")
class OperationController {

    private final Operations operations;

    OperationController(Operations operations) {
        this.operations = operations;
    }

    @GetMapping("/v1/operations/{id}")
    @Operation(operationId = "getOperation", summary = "Get an operation", description = """
            An operation of the tenant, as named by the `Location` of the answer that started it: its type, state \
            (`PENDING` waiting for a node, `RUNNING`, `SUCCEEDED` once the data plane was observed in the desired \
            state, or `FAILED` with `error`), database and times. Operations survive control-plane restarts. Any key \
            of the tenant.""")
    @ApiResponse(responseCode = "200", description = "The operation.")
    @ApiResponse(responseCode = "403", description = KeysNeeded.TENANT_KEY)
    Operations.OperationView get(Caller caller, @PathVariable UUID id) {
        return operations.find(caller.tenant(), id);
    }
}
