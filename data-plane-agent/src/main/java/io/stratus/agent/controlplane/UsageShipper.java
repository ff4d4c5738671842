package io.stratus.agent.controlplane;

import io.stratus.agent.AgentSettings;
import io.stratus.agent.computes.ComputeReconciler;
import io.stratus.agent.metering.UsageSpool;
import io.stratus.agent.support.Backoff;
import io.stratus.agent.support.Outage;
import io.stratus.agent.support.LoopThread;
import io.stratus.protocol.UsageAck;
import io.stratus.protocol.UsageRecord;
import io.stratus.protocol.UsageReport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Delivers the usage spool to the control plane, oldest record first, in batches of {@code usageBatchSize}, and drops
 * what it acknowledges. Usage is billing data: nothing is ever dropped unacknowledged. A failed send is retried with
 * backoff; a rejected credential makes the node register again; an acknowledgement of only part of a batch sends the
 * rest again (the control plane stores each (node, seq) once, so a record delivered twice counts once).
 */
@Component
class UsageShipper extends LoopThread {

    private static final Logger log = LoggerFactory.getLogger(UsageShipper.class);
    static final Duration RETRY_INITIAL = Duration.ofSeconds(1);
    static final Duration RETRY_MAX = Duration.ofMinutes(1);

    private final NodeRegistration registration;
    private final ControlPlaneClient client;
    private final UsageSpool spool;
    private final int batchSize;
    private final Duration interval;
    private final Duration retryInitial;
    private final Duration retryMax;
    private final Outage outage = new Outage(log, "deliver usage");

    @Autowired
    UsageShipper(NodeRegistration registration, ControlPlaneClient client, UsageSpool spool, AgentSettings settings) {
        this(registration, client, spool, settings.usageBatchSize(), settings.usageInterval(), RETRY_INITIAL, RETRY_MAX);
    }

    UsageShipper(NodeRegistration registration, ControlPlaneClient client, UsageSpool spool, int batchSize,
                 Duration interval, Duration retryInitial, Duration retryMax) {
        super("usage-shipper");
        this.registration = registration;
        this.client = client;
        this.spool = spool;
        this.batchSize = batchSize;
        this.interval = interval;
        this.retryInitial = retryInitial;
        this.retryMax = retryMax;
    }

    /**
     * Sends batches until the spool is empty. Returns normally when it is empty or the node has no identity yet;
     * throws on the first failure (the caller backs off). Also what tests call to flush the spool.
     */
    void deliverPending() throws ControlPlaneException, IOException, InterruptedException {
        while (true) {
            List<UsageRecord> batch = spool.pending(batchSize);
            if (batch.isEmpty()) {
                return;
            }
            NodeIdentity node = registration.current().orElse(null);
            if (node == null) {
                // The desired-state watcher is registering; deliver once it has an identity.
                return;
            }
            UsageAck ack;
            try {
                ack = client.reportUsage(node, new UsageReport(node.nodeId(), batch));
            } catch (ControlPlaneException.CredentialRejected e) {
                registration.forget(node);
                throw e;
            }
            long first = batch.get(0).seq();
            long last = batch.get(batch.size() - 1).seq();
            if (ack.throughSeq() < first) {
                throw new ControlPlaneException("the control plane acknowledged none of seq " + first + " to " + last
                        + " (through " + ack.throughSeq() + ")");
            }
            // Never more than was sent: later records may not even have reached it.
            spool.acknowledge(Math.min(ack.throughSeq(), last));
        }
    }

    @Override
    protected void loop() {
        Backoff backoff = new Backoff(retryInitial, retryMax);
        while (keepRunning()) {
            Duration pause = interval;
            try {
                deliverPending();
                outage.succeeded(spool.pendingCount() + " records pending");
                backoff.reset();
            } catch (InterruptedException e) {
                return;
            } catch (ControlPlaneException | IOException | RuntimeException e) {
                pause = backoff.next();
                // Usage waits in the spool meanwhile.
                outage.failed(e.getMessage() + " (" + spool.pendingCount() + " records pending, retry in " + pause + ")");
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public int getPhase() {
        // Runs as long as the meter (260) may still spool; what it leaves is sent after the next start.
        return ComputeReconciler.PHASE + 250;
    }
}
