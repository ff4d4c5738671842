package io.stratus.controlplane.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.stratus.controlplane.ControlPlaneTest;
import io.stratus.protocol.RegisterNodeRequest;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The node row under the concurrent writers it has: heartbeats, which do not lock it, and generation bumps. */
class NodeRowTests extends ControlPlaneTest {

    @Autowired
    private Fleet fleet;

    @Autowired
    private PlatformTransactionManager transactions;

    @Test
    void aHeartbeatThatLoadedTheNodeBeforeABumpDoesNotWriteTheOldGenerationBack() throws Exception {
        UUID node = fleet.register(new RegisterNodeRequest("row-" + UUID.randomUUID(), "127.0.0.9", "z1",
                BigDecimal.TEN, List.of("15.99"), 6432, java.util.Map.of())).nodeId();
        TransactionTemplate tx = new TransactionTemplate(transactions);
        long before = fleet.desiredGeneration(node);

        long bumped = tx.execute(heartbeat -> {
            // The heartbeat has loaded and changed the row; its UPDATE is flushed only at commit.
            fleet.heartbeat(node, 0, "cgroup-v1");
            // Meanwhile a placement on the node commits its bump.
            return CompletableFuture.supplyAsync(() -> tx.execute(placement -> fleet.desiredStateChanged(node)))
                    .orTimeout(10, TimeUnit.SECONDS).join();
        });

        assertThat(bumped).isEqualTo(before + 1);
        assertThat(fleet.desiredGeneration(node)).as("the bump survives the heartbeat's commit").isEqualTo(before + 1);
        assertThat(fleet.find(node).orElseThrow().enforcement()).isEqualTo("cgroup-v1");
    }
}
