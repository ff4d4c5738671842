package io.stratus.agent.controlplane;

/** The control plane could not be reached or did not answer as the protocol says; worth retrying. */
class ControlPlaneException extends Exception {

    ControlPlaneException(String message) {
        super(message);
    }

    ControlPlaneException(String message, Throwable cause) {
        super(message, cause);
    }

    /** 401: the token or node credential presented is not (or no longer) valid. */
    static final class CredentialRejected extends ControlPlaneException {
        CredentialRejected(String message) {
            super(message);
        }
    }
}
