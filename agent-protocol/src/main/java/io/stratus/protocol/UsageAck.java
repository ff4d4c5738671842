package io.stratus.protocol;

/**
 * The answer to a {@link UsageReport}: every record with a sequence number up to and including {@code throughSeq} is
 * durably stored in the control plane (a duplicate counts as stored).
 */
public record UsageAck(long throughSeq) {
}
