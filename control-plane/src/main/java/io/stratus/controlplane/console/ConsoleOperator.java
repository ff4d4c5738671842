package io.stratus.controlplane.console;

import java.io.Serializable;
import java.util.UUID;

/**
 * Who is signed in to the console: the operator key ({@code keyId} its id) or a configured operator user
 * ({@code keyId} null). Kept in the session, never the key itself.
 *
 * @param name what the pages and the audit log call them: {@code operator}, or {@code operator:<user>}
 */
record ConsoleOperator(String name, UUID keyId) implements Serializable {

    @Override
    public String toString() {
        return name;
    }
}
