package io.stratus.agent.computes;

import io.stratus.protocol.ComputeSpec;
import java.math.BigDecimal;
import java.util.UUID;

/** Specs for tests that decide without a postmaster: one typical compute, changed field by field by name. */
final class TestSpecs {

    private TestSpecs() {
    }

    /** A running 1 CU compute of database {@code app} (0.25-2 CU), on Postgres 15, spec version 3, a new id. */
    static ComputeSpec.Builder app() {
        return ComputeSpec.builder().computeId(UUID.randomUUID()).databaseName("app").ownerRole("app_owner")
                .ownerVerifier("SCRAM-SHA-256$x").running(true).cu(BigDecimal.ONE).minCu(new BigDecimal("0.25"))
                .maxCu(new BigDecimal("2")).release("15").specVersion(3);
    }
}
