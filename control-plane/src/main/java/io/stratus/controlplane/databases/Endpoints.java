package io.stratus.controlplane.databases;

import java.security.SecureRandom;

/**
 * A database's endpoint: the routing name a front door knows it by ({@code <name>.<endpoint>} in the connection URI,
 * or the first label of the TLS server name). Fixed at creation, unique across tenants (tenants' database names are
 * not), and never reused: a URI that outlives its database reaches nothing rather than another tenant's database.
 */
final class Endpoints {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    /** 12 characters of 36: 62 bits, so a collision (caught by the unique index) is not a practical concern. */
    private static final int LENGTH = 12;

    private Endpoints() {
    }

    static String generate() {
        char[] c = new char[LENGTH];
        // A letter first: the endpoint is also a DNS label in the server name, and some resolvers dislike digits there.
        c[0] = ALPHABET[RANDOM.nextInt(26)];
        for (int i = 1; i < LENGTH; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }
}
