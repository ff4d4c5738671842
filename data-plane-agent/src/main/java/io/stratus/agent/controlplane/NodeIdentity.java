package io.stratus.agent.controlplane;

import java.util.UUID;

/** Who this node is to the control plane, and the credential it presents as a Bearer token. */
record NodeIdentity(UUID nodeId, String credential) {

    @Override
    public String toString() {
        // Never let the credential reach a log line.
        return "NodeIdentity[nodeId=" + nodeId + "]";
    }
}
