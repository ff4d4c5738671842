package io.stratus.controlplane.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Bearer secrets: 256 random bits behind a prefix that says what they are ({@code stk_} tenant/operator API keys,
 * {@code snc_} node credentials, {@code sbt_} agent bootstrap tokens), so that a key pasted in the wrong place is
 * recognisably wrong. Stored only as SHA-256: with 256-bit random secrets a slow hash adds nothing.
 */
public final class Tokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    public static String generate(String prefix) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The part of a token that is safe to show in listings and logs. */
    public static String prefixOf(String token) {
        return token.substring(0, Math.min(token.length(), 10));
    }
}
