package io.stratus.controlplane.operations;

import io.stratus.controlplane.security.Caller;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/operations/{id}}: poll an operation of the caller's tenant. */
@RestController
class OperationController {

    private final Operations operations;

    OperationController(Operations operations) {
        this.operations = operations;
    }

    @GetMapping("/v1/operations/{id}")
    Operations.OperationView get(Caller caller, @PathVariable UUID id) {
        return operations.find(caller.tenant(), id);
    }
}
