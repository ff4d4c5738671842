package io.stratus.protocol;

import java.util.UUID;

/**
 * Where a front door sends a connection for a database's endpoint, as the control plane sees it now.
 *
 * @param databaseId    the database (and its compute's id)
 * @param endpoint      the stable routing name in the database's connection URI
 * @param databaseName  the tenant's database inside the compute: what the front door asks the compute for
 * @param state         {@code PROVISIONING}, {@code RUNNING}, {@code SUSPENDED}, {@code FAILED}, {@code DELETING} or
 *                      {@code DELETED}
 * @param running       whether the compute should run (false while suspended)
 * @param nodeId        the node that holds its compute; null until placed
 * @param nodeAddress   that node's front-door host, to relay to; null until placed
 * @param nodePort      that node's front-door port; null until placed
 * @param message       why a database cannot take connections (its failure), else null
 */
public record Route(UUID databaseId, String endpoint, String databaseName, String state, boolean running, UUID nodeId,
                    String nodeAddress, Integer nodePort, String message) {

    /** Deleted or being deleted: a connection for it gets "does not exist". */
    public boolean gone() {
        return "DELETED".equals(state) || "DELETING".equals(state);
    }
}
