package io.stratus.controlplane.updates;

import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * What a rolling update does next, decided from its items alone (pure, unit-tested): the canaries first, the rest only
 * once every canary is updated; never more than {@code maxUnavailable} computes restarting at once; a database whose
 * maintenance window is closed waits (when the update respects windows); a failed canary, or failures reaching the
 * threshold, pause the update before anything more is touched.
 */
final class UpdatePlan {

    private UpdatePlan() {
    }

    /** One item as the plan needs it. {@code startable}: its window is open now (or it has none, or is suspended). */
    record Item(UUID databaseId, int position, boolean canary, ItemState state, boolean startable) {
    }

    sealed interface Decision permits Start, Pause, Complete {
    }

    /** Start these now (possibly none: wait for the ones in flight, or for a window). */
    record Start(List<UUID> databaseIds) implements Decision {
    }

    record Pause(String reason) implements Decision {
    }

    /** Nothing left to do; {@code clean} when no item failed. */
    record Complete(boolean clean) implements Decision {
    }

    /**
     * @param acknowledged failures the operator resumed past: only failures beyond them pause the update again
     */
    static Decision forward(List<Item> items, int maxUnavailable, int failureThreshold, int acknowledged) {
        long failed = items.stream().filter(i -> i.state() == ItemState.FAILED).count();
        if (failed > acknowledged && items.stream().anyMatch(i -> i.canary() && i.state() == ItemState.FAILED)) {
            return new Pause("a canary failed: " + failed + " failed, nothing else is touched until the update is "
                    + "resumed, aborted or rolled back");
        }
        if (failed - acknowledged >= failureThreshold) {
            return new Pause(failed + " failed, the failure threshold (" + failureThreshold + ")");
        }
        long inFlight = items.stream().filter(i -> i.state().inFlight()).count();
        boolean pending = items.stream().anyMatch(i -> i.state() == ItemState.PENDING);
        if (!pending) {
            return inFlight == 0 ? new Complete(failed == 0) : new Start(List.of());
        }
        boolean canariesDone = items.stream().filter(Item::canary).allMatch(i -> i.state().settled());
        long slots = Math.max(0, maxUnavailable - inFlight);
        return new Start(items.stream()
                .filter(i -> i.state() == ItemState.PENDING && i.startable() && (canariesDone || i.canary()))
                .sorted(Comparator.comparingInt(Item::position))
                .limit(slots).map(Item::databaseId).toList());
    }

    /**
     * A rollback: the updated ones go back, {@code maxUnavailable} at a time, after the ones still restarting forward
     * have finished. Windows are not waited for: a rollback is the operator saying now.
     */
    static Decision backward(List<Item> items, int maxUnavailable) {
        long inFlight = items.stream().filter(i -> i.state().inFlight()).count();
        List<UUID> toRevert = items.stream().filter(i -> i.state() == ItemState.UPDATED)
                .sorted(Comparator.comparingInt(Item::position).reversed()).map(Item::databaseId).toList();
        if (toRevert.isEmpty()) {
            return inFlight == 0 ? new Complete(items.stream().noneMatch(i -> i.state() == ItemState.FAILED))
                    : new Start(List.of());
        }
        if (items.stream().anyMatch(i -> i.state() == ItemState.UPDATING)) {
            return new Start(List.of());
        }
        return new Start(toRevert.stream().limit(Math.max(0, maxUnavailable - inFlight)).toList());
    }
}
