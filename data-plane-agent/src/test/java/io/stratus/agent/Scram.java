package io.stratus.agent;

import io.stratus.postgres.ScramVerifier;

/** Makes SCRAM-SHA-256 verifiers the way the control plane does, for tests that log in for real. */
public final class Scram {

    private Scram() {
    }

    /** {@code SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>} for the password. */
    public static String verifier(String password) {
        return ScramVerifier.of(password);
    }
}
