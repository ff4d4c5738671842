package io.stratus.agent.metering;

import io.stratus.protocol.UsageRecord;

/**
 * One spool line: a record and the cursor its compute moved to by it. Written in one append, fsync'd once, so they
 * are durable together or not at all.
 */
public record SpoolEntry(UsageRecord record, UsageCursor cursor) {
}
