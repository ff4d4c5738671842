package io.stratus.protocol;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * An agent introducing its host.
 *
 * @param name       a stable host name, unique in the fleet; re-registering with it returns the same node
 * @param address    the address of this host's front door, where other nodes' front doors relay connections to the
 *                   computes on this host
 * @param zone       failure domain
 * @param capacityCu capacity units this host offers
 * @param releases   Postgres versions the host can run
 * @param frontDoorPort the TCP port of this host's front door
 * @param labels     free-form labels
 */
public record RegisterNodeRequest(String name, String address, String zone, BigDecimal capacityCu,
                                  List<String> releases, int frontDoorPort,
                                  Map<String, String> labels) {
}
