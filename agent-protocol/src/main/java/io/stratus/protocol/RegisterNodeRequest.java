package io.stratus.protocol;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * An agent introducing its host.
 *
 * @param name       a stable host name, unique in the fleet; re-registering with it returns the same node
 * @param address    the address clients use to reach computes on this host
 * @param zone       failure domain
 * @param capacityCu capacity units this host offers
 * @param releases   Postgres versions the host can run
 * @param portMin    lowest TCP port computes may use on this host
 * @param portMax    highest TCP port computes may use on this host
 * @param labels     free-form labels
 */
public record RegisterNodeRequest(String name, String address, String zone, BigDecimal capacityCu,
                                  List<String> releases, int portMin, int portMax,
                                  Map<String, String> labels) {
}
