package io.stratus.controlplane.fleet;

import io.stratus.controlplane.StratusSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Marks nodes whose agent went silent NOT_READY, so nothing new is placed on them. */
@Component
class NodeHealthMonitor {

    private static final Logger log = LoggerFactory.getLogger(NodeHealthMonitor.class);

    private final Fleet fleet;
    private final StratusSettings settings;

    NodeHealthMonitor(Fleet fleet, StratusSettings settings) {
        this.fleet = fleet;
        this.settings = settings;
    }

    @Scheduled(fixedDelayString = "${stratus.node-health-interval:5s}")
    void check() {
        int n = fleet.markSilentNodesNotReady();
        if (n > 0) {
            log.warn("{} node(s) missed heartbeats for {} and are NOT_READY", n, settings.nodeHeartbeatTimeout());
        }
    }
}
