package io.stratus.protocol;

import java.util.UUID;

/** The node identity and its credential, shown once; the agent keeps it and presents it as a Bearer token. */
public record RegisterNodeResponse(UUID nodeId, String credential) {
}
