package io.stratus.backupstore;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Settings both apps bind from {@code stratus.backups.store.*}.
 *
 * @param type      {@code filesystem} (the embedded default of {@code ./stratus up}) or {@code s3}
 * @param directory filesystem: the root directory (created on first put)
 * @param bucket    s3: the bucket, which must exist
 * @param prefix    s3: prepended to every key ({@code "stratus/prod"} stores {@code a/b} as
 *                  {@code stratus/prod/a/b}); leading and trailing slashes are dropped; empty for none
 * @param endpoint  s3: an S3-compatible server's URL (MinIO, Ceph, S3Proxy); none for AWS itself
 * @param region    s3: the signing region; none takes the SDK's default chain, or {@code us-east-1} with an endpoint
 * @param accessKey s3: static credentials, with secretKey; none takes the SDK's default credential chain
 * @param secretKey s3: see accessKey; never printed
 * @param pathStyle s3: {@code http://host/bucket/key} instead of {@code http://bucket.host/key}, which most
 *                  S3-compatible servers need
 */
public record BackupStoreSettings(String type, Path directory, String bucket, String prefix, URI endpoint,
                                  String region, String accessKey, String secretKey, boolean pathStyle) {

    public static final String FILESYSTEM = "filesystem";
    public static final String S3 = "s3";

    public BackupStoreSettings {
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("stratus.backups.store.type is required: filesystem or s3");
        }
        type = type.strip().toLowerCase(Locale.ROOT);
        prefix = prefix == null ? "" : trimSlashes(prefix.strip());
        region = blankToNull(region);
        accessKey = blankToNull(accessKey);
        secretKey = blankToNull(secretKey);
        bucket = blankToNull(bucket);
        switch (type) {
            case FILESYSTEM -> {
                if (directory == null) {
                    throw new IllegalArgumentException(
                            "a filesystem backup store needs stratus.backups.store.directory");
                }
            }
            case S3 -> {
                if (bucket == null) {
                    throw new IllegalArgumentException("an s3 backup store needs stratus.backups.store.bucket");
                }
                if ((accessKey == null) != (secretKey == null)) {
                    throw new IllegalArgumentException("stratus.backups.store.access-key and secret-key go together:"
                            + " give both, or neither for the SDK's default credential chain");
                }
                if (endpoint != null && (!endpoint.isAbsolute() || endpoint.getHost() == null
                        || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())))) {
                    throw new IllegalArgumentException(
                            "stratus.backups.store.endpoint must be an http(s) URL, not " + endpoint);
                }
                for (String segment : prefix.split("/", -1)) {
                    if (!prefix.isEmpty() && (segment.isEmpty() || segment.equals("..") || segment.equals("."))) {
                        throw new IllegalArgumentException(
                                "stratus.backups.store.prefix has an empty, '.' or '..' segment: " + prefix);
                    }
                }
            }
            default -> throw new IllegalArgumentException(
                    "stratus.backups.store.type must be filesystem or s3, not '" + type + "'");
        }
    }

    /** A filesystem store rooted at directory. */
    public static BackupStoreSettings filesystem(Path directory) {
        return new BackupStoreSettings(FILESYSTEM, directory, null, null, null, null, null, null, false);
    }

    /** An S3 store; endpoint, region and the keys may be null (see the record's parameters). */
    public static BackupStoreSettings s3(String bucket, String prefix, URI endpoint, String region,
                                         String accessKey, String secretKey, boolean pathStyle) {
        return new BackupStoreSettings(S3, null, bucket, prefix, endpoint, region, accessKey, secretKey, pathStyle);
    }

    /** The same settings under another key prefix. */
    public BackupStoreSettings withPrefix(String newPrefix) {
        return new BackupStoreSettings(type, directory, bucket, newPrefix, endpoint, region, accessKey, secretKey,
                pathStyle);
    }

    /** Like the record's, but the secret key is masked: settings end up in logs. */
    @Override
    public String toString() {
        return "BackupStoreSettings[type=" + type + ", directory=" + directory + ", bucket=" + bucket
                + ", prefix=" + prefix + ", endpoint=" + endpoint + ", region=" + region + ", accessKey=" + accessKey
                + ", secretKey=" + (secretKey == null ? null : "****") + ", pathStyle=" + pathStyle + "]";
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String trimSlashes(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && value.charAt(start) == '/') {
            start++;
        }
        while (end > start && value.charAt(end - 1) == '/') {
            end--;
        }
        return value.substring(start, end);
    }
}
