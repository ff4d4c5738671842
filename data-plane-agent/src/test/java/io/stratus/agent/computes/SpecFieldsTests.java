package io.stratus.agent.computes;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.protocol.ComputeSpec;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SpecFieldsTests {

    private static final ComputeSpec SPEC = TestSpecs.app().build();

    // A field added to the protocol's spec without deciding here what its change takes would never be applied.
    @Test
    void everySpecFieldHasARule() {
        Set<String> fields = Arrays.stream(ComputeSpec.class.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.toSet());
        assertThat(SpecFields.RULES.keySet()).as("rules in SpecFields.RULES").isEqualTo(fields);
    }

    @Test
    void theSameSpecChangesNothingAndCuIsComparedByValue() {
        ComputeSpec sameCuWrittenOtherwise = SPEC.toBuilder().cu(new BigDecimal("1.00")).minCu(new BigDecimal("0.250"))
                .maxCu(new BigDecimal("2.0")).build();
        AppliedCompute applied = new AppliedCompute(SPEC, "15.18", 0, null);

        assertThat(SpecFields.changed(SPEC, sameCuWrittenOtherwise)).isEmpty();
        assertThat(applied.changeTo(sameCuWrittenOtherwise, "15.18")).isEqualTo(AppliedCompute.Change.NONE);
    }

    @Test
    void aNewCuWithItsSpecVersionIsACapacityChangeOnly() {
        ComputeSpec more = SPEC.toBuilder().cu(new BigDecimal("1.5")).specVersion(4).build();

        assertThat(SpecFields.changed(SPEC, more)).containsExactlyInAnyOrder("cu", "specVersion");
        assertThat(new AppliedCompute(SPEC, "15.18", 0, null).changeTo(more, "15.18")).isEqualTo(AppliedCompute.Change.CAPACITY);
    }

    @Test
    void anythingBeyondCuTakesAFullPassAndSoDoesAnotherRelease() {
        AppliedCompute applied = new AppliedCompute(SPEC, "15.18", 0, null);
        ComputeSpec newPassword = SPEC.toBuilder().ownerVerifier("SCRAM-SHA-256$y").cu(new BigDecimal("1.5"))
                .specVersion(4).build();
        ComputeSpec wider = SPEC.toBuilder().maxCu(new BigDecimal("4")).specVersion(4).build();

        assertThat(applied.changeTo(newPassword, "15.18")).isEqualTo(AppliedCompute.Change.OTHER);
        assertThat(applied.changeTo(wider, "15.18")).isEqualTo(AppliedCompute.Change.OTHER);
        assertThat(applied.changeTo(SPEC, "15.19")).isEqualTo(AppliedCompute.Change.OTHER);
    }
}
