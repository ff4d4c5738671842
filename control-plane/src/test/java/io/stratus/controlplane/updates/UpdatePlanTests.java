package io.stratus.controlplane.updates;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UpdatePlanTests {

    private final List<UUID> ids = new ArrayList<>();

    /** Items in position order, the first {@code canaries} of them canaries, in the given states. */
    private List<UpdatePlan.Item> items(int canaries, ItemState... states) {
        List<UpdatePlan.Item> items = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            if (ids.size() <= i) {
                ids.add(UUID.randomUUID());
            }
            items.add(new UpdatePlan.Item(ids.get(i), i, i < canaries, states[i], true));
        }
        return items;
    }

    @Test
    void theCanaryGoesFirstAndAlone() {
        var d = UpdatePlan.forward(items(1, ItemState.PENDING, ItemState.PENDING, ItemState.PENDING), 2, 1, 0);

        assertThat(d).isEqualTo(new UpdatePlan.Start(List.of(ids.get(0))));
    }

    @Test
    void theRestWaitsWhileTheCanaryRestarts() {
        var d = UpdatePlan.forward(items(1, ItemState.UPDATING, ItemState.PENDING, ItemState.PENDING), 2, 1, 0);

        assertThat(d).isEqualTo(new UpdatePlan.Start(List.of()));
    }

    @Test
    void afterAHealthyCanaryTheRestGoInBatchesOfMaxUnavailable() {
        var d = UpdatePlan.forward(items(1, ItemState.UPDATED, ItemState.PENDING, ItemState.PENDING,
                ItemState.PENDING), 2, 1, 0);

        assertThat(d).isEqualTo(new UpdatePlan.Start(List.of(ids.get(1), ids.get(2))));
    }

    @Test
    void aBatchIsTopUpToMaxUnavailableAsRestartsFinish() {
        var d = UpdatePlan.forward(items(1, ItemState.UPDATED, ItemState.UPDATED, ItemState.UPDATING,
                ItemState.PENDING, ItemState.PENDING), 2, 1, 0);

        assertThat(d).isEqualTo(new UpdatePlan.Start(List.of(ids.get(3))));
    }

    @Test
    void aFailedCanaryPausesBeforeAnythingElseIsTouched() {
        var d = UpdatePlan.forward(items(1, ItemState.FAILED, ItemState.PENDING, ItemState.PENDING), 2, 5, 0);

        assertThat(d).isInstanceOf(UpdatePlan.Pause.class);
        assertThat(((UpdatePlan.Pause) d).reason()).startsWith("a canary failed");
    }

    @Test
    void failuresReachingTheThresholdPause() {
        var below = UpdatePlan.forward(items(0, ItemState.FAILED, ItemState.PENDING, ItemState.PENDING), 1, 2, 0);
        var at = UpdatePlan.forward(items(0, ItemState.FAILED, ItemState.FAILED, ItemState.PENDING), 1, 2, 0);

        assertThat(below).isEqualTo(new UpdatePlan.Start(List.of(ids.get(1))));
        assertThat(at).isInstanceOf(UpdatePlan.Pause.class);
    }

    @Test
    void failuresTheOperatorResumedPastNoLongerPause() {
        var d = UpdatePlan.forward(items(1, ItemState.FAILED, ItemState.PENDING), 1, 1, 1);

        assertThat(d).isEqualTo(new UpdatePlan.Start(List.of(ids.get(1))));
    }

    @Test
    void aDatabaseOutsideItsWindowWaitsAndTheNextOneGoes() {
        UUID closed = UUID.randomUUID();
        UUID open = UUID.randomUUID();
        var d = UpdatePlan.forward(List.of(new UpdatePlan.Item(closed, 0, false, ItemState.PENDING, false),
                new UpdatePlan.Item(open, 1, false, ItemState.PENDING, true)), 1, 1, 0);

        assertThat(d).isEqualTo(new UpdatePlan.Start(List.of(open)));
    }

    @Test
    void completesWhenNothingIsLeftAndSaysWhetherAnythingFailed() {
        assertThat(UpdatePlan.forward(items(1, ItemState.UPDATED, ItemState.SKIPPED), 1, 1, 0))
                .isEqualTo(new UpdatePlan.Complete(true));
        assertThat(UpdatePlan.forward(items(0, ItemState.UPDATED, ItemState.FAILED), 1, 2, 0))
                .isEqualTo(new UpdatePlan.Complete(false));
    }

    @Test
    void aRollbackWaitsForRestartsInFlightThenRevertsTheUpdatedOnesNewestFirst() {
        var waiting = UpdatePlan.backward(items(1, ItemState.UPDATED, ItemState.UPDATING, ItemState.SKIPPED), 2);
        var reverting = UpdatePlan.backward(items(1, ItemState.UPDATED, ItemState.UPDATED, ItemState.UPDATED), 2);
        var done = UpdatePlan.backward(items(1, ItemState.REVERTED, ItemState.REVERTED, ItemState.SKIPPED), 2);

        assertThat(waiting).isEqualTo(new UpdatePlan.Start(List.of()));
        assertThat(reverting).isEqualTo(new UpdatePlan.Start(List.of(ids.get(2), ids.get(1))));
        assertThat(done).isEqualTo(new UpdatePlan.Complete(true));
    }
}
