package io.stratus.backupstore;

/** The one rule for keys, the same for every store, so a key that works on a laptop works on S3 too. */
final class Keys {

    private Keys() {
    }

    /**
     * A key is a relative '/'-separated path: not empty, no leading '/', no empty, "." or ".." segment, no
     * backslash or NUL (which would mean another path on some filesystems).
     */
    static String requireValidKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a backup store key must not be empty");
        }
        if (key.endsWith("/")) {
            throw new IllegalArgumentException("a backup store key must not end with '/': " + key);
        }
        requireValidSegments(key, key);
        return key;
    }

    /** A list prefix: empty (everything), or like a key whose last segment may be partial or empty (ends with '/'). */
    static String requireValidPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("a list prefix must not be null (use \"\" for everything)");
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        String complete = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (complete.isEmpty()) {
            throw new IllegalArgumentException("a list prefix must not start with '/': " + prefix);
        }
        requireValidSegments(complete, prefix);
        return prefix;
    }

    private static void requireValidSegments(String path, String shown) {
        if (path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a backup store key must not contain '\\' or NUL: " + shown);
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("a backup store key must be a relative path without empty, '.' or"
                        + " '..' segments: " + shown);
            }
        }
    }
}
