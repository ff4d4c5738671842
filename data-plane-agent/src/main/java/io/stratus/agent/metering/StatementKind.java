package io.stratus.agent.metering;

/** What a statement's rows count as: rows read, rows written, or neither (DDL, BEGIN, SET, ...). */
public enum StatementKind {
    READ,
    WRITE,
    OTHER
}
