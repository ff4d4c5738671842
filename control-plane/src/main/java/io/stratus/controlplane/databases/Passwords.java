package io.stratus.controlplane.databases;

import io.stratus.postgres.ScramVerifier;
import java.security.SecureRandom;

/**
 * Database passwords and their SCRAM-SHA-256 verifiers. The control plane hands the password to the user once and
 * keeps only the verifier ({@link ScramVerifier}), which is all the agent needs to create the role.
 */
final class Passwords {

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    /** 32 characters from a URI-safe alphabet: about 187 bits. */
    static String generate() {
        StringBuilder sb = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} for the password, with a fresh salt. */
    static String scramVerifier(String password) {
        return ScramVerifier.of(password);
    }
}
