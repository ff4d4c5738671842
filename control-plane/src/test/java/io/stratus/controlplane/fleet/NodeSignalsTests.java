package io.stratus.controlplane.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeSignalsTests {

    private final NodeSignals signals = new NodeSignals();
    private final UUID node = UUID.randomUUID();

    @Test
    void aSignalWakesTheNodesWaiter() throws Exception {
        signals.start();
        long mark = signals.mark(node);
        CompletableFuture<Long> waited = waitFor(mark, 20_000);

        signals.signal(node);

        assertThat(waited.get(5, TimeUnit.SECONDS)).isLessThan(10_000);
    }

    // The long-poll reads the generation, then waits: a change committed in between must not wait out the poll.
    @Test
    void aSignalBeforeTheWaitBeginsEndsItAtOnce() throws Exception {
        signals.start();
        long mark = signals.mark(node);
        signals.signal(node);

        assertThat(waitFor(mark, 20_000).get(5, TimeUnit.SECONDS)).isLessThan(1_000);
        assertThat(signals.mark(node)).isEqualTo(mark + 1);
    }

    @Test
    void aSignalOnAnotherNodeWakesNobodyHere() throws Exception {
        signals.start();
        long mark = signals.mark(node);
        signals.signal(UUID.randomUUID());

        assertThat(waitFor(mark, 300).get(5, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(290);
    }

    @Test
    void stoppingReleasesEveryWaitingLongPollAndLetsNoneWaitAfterwards() throws Exception {
        signals.start();
        CompletableFuture<Long> waiting = waitFor(signals.mark(node), 20_000);

        // Whether the waiter is already waiting or only about to: either way it is released.
        signals.stop();

        assertThat(waiting.get(5, TimeUnit.SECONDS)).as("released, not held for its 20 s").isLessThan(10_000);
        assertThat(signals.isRunning()).isFalse();
        assertThat(waitFor(signals.mark(node), 20_000).get(5, TimeUnit.SECONDS)).as("a poll after the stop answers at once").isLessThan(1_000);
    }

    /** Waits on the node in another thread; completes with how long it waited, in ms. */
    private CompletableFuture<Long> waitFor(long mark, long millis) {
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                signals.await(node, mark, millis);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return (System.nanoTime() - start) / 1_000_000;
        });
    }
}
