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
        CompletableFuture<Long> waited = waitFor(20_000);
        Thread.sleep(200);

        signals.signal(node);

        assertThat(waited.get(5, TimeUnit.SECONDS)).isLessThan(10_000);
    }

    @Test
    void stoppingReleasesEveryWaitingLongPollAndLetsNoneWaitAfterwards() throws Exception {
        signals.start();
        CompletableFuture<Long> waiting = waitFor(20_000);
        Thread.sleep(200);

        signals.stop();

        assertThat(waiting.get(5, TimeUnit.SECONDS)).as("released, not held for its 20 s").isLessThan(10_000);
        assertThat(signals.isRunning()).isFalse();
        assertThat(waitFor(20_000).get(5, TimeUnit.SECONDS)).as("a poll after the stop answers at once").isLessThan(1_000);
    }

    /** Waits on the node in another thread; completes with how long it waited, in ms. */
    private CompletableFuture<Long> waitFor(long millis) {
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                signals.await(node, millis);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return (System.nanoTime() - start) / 1_000_000;
        });
    }
}
