package io.stratus.controlplane;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/**
 * The features are Spring Modulith application modules: no cycle between them, and none reaches into another's
 * internals (its sub-packages).
 */
class ModularityTests {

    private final ApplicationModules modules = ApplicationModules.of(ControlPlaneApplication.class);

    @Test
    void featuresDependOnEachOtherOnlyThroughTheirPublicApiAndWithoutCycles() {
        System.out.println(modules);
        modules.verify();
    }
}
