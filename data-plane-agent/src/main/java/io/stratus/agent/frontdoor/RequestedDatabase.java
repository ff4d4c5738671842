package io.stratus.agent.frontdoor;

import java.util.regex.Pattern;

/**
 * What a client asked for: the endpoint that routes it and, when it gave one, the database name that must match the
 * endpoint's. Connection URIs name {@code <name>.<endpoint>}; a TLS client whose server name is
 * {@code <endpoint>.<suffix>} may name just the database.
 *
 * @param requested what the client sent, for messages
 * @param name      the database name it gave; null when only the server name routed it
 */
record RequestedDatabase(String requested, String endpoint, String name) {

    private static final Pattern ENDPOINT = Pattern.compile("[a-z0-9]{1,63}");

    /** Null when the client named no endpoint the front door could route by. */
    static RequestedDatabase of(String database, String serverName, String serverNameSuffix) {
        if (serverNameSuffix != null && serverName != null) {
            String host = serverName.toLowerCase(java.util.Locale.ROOT);
            String tail = "." + serverNameSuffix.toLowerCase(java.util.Locale.ROOT);
            if (host.endsWith(tail)) {
                String endpoint = host.substring(0, host.length() - tail.length());
                if (ENDPOINT.matcher(endpoint).matches()) {
                    String suffixed = "." + endpoint;
                    String name = database.endsWith(suffixed) ? database.substring(0, database.length() - suffixed.length())
                            : database;
                    return new RequestedDatabase(database, endpoint, name);
                }
            }
        }
        int dot = database.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        String endpoint = database.substring(dot + 1);
        return ENDPOINT.matcher(endpoint).matches()
                ? new RequestedDatabase(database, endpoint, database.substring(0, dot)) : null;
    }
}
