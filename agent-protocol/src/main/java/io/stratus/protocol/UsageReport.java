package io.stratus.protocol;

import java.util.List;
import java.util.UUID;

/**
 * {@code POST /agent/v1/nodes/{id}/usage}: records from the agent's spool, oldest first. Answered with a
 * {@link UsageAck} once every record is stored (or was stored before); the agent then drops them from its spool.
 */
public record UsageReport(UUID nodeId, List<UsageRecord> records) {
}
