package io.stratus.agent.frontdoor;

/** Why a connection cannot be routed: becomes the client's FATAL ErrorResponse with this SQLSTATE. */
final class RouteFailure extends Exception {

    private final String sqlState;

    RouteFailure(String sqlState, String message) {
        super(message, null, false, false);
        this.sqlState = sqlState;
    }

    String sqlState() {
        return sqlState;
    }

    static RouteFailure noSuchDatabase(String requested) {
        return new RouteFailure(PgWire.INVALID_CATALOG_NAME, "database \"" + requested + "\" does not exist");
    }
}
