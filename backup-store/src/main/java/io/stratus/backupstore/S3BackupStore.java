package io.stratus.backupstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A backup store in an S3 bucket (AWS or an S3-compatible server), through the AWS SDK v2's blocking client over
 * Apache HttpClient 4. Keys are stored under the settings' prefix, which callers never see.
 *
 * <p>A put streams its content in one PUT (up to 5 GiB; backup files are at most 1 GiB): over plain HTTP the SDK
 * signs it chunk by chunk as it goes. Only objects up to {@link #REPLAYABLE_LENGTH} are held in memory, so that the
 * SDK can retry them. S3 makes a PUT atomic: an aborted upload leaves the previous object, or none.
 */
public final class S3BackupStore implements BackupStore {

    /** Connecting is quick or it is not going to happen: three attempts of this stay well under 30 s. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Silence on an open connection (a hung server) longer than this fails the attempt. */
    public static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);
    /** A whole call, retries included: long enough for a 1 GiB object on a slow link. */
    public static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofMinutes(5);
    /** The SDK's standard retry mode makes at most this many attempts, with short jittered backoff. */
    static final int MAX_ATTEMPTS = 3;
    /**
     * Objects up to this size are kept in memory while they are sent so that the SDK can retry them (WAL segments
     * are 16 MiB); larger ones stream through and a failed attempt fails the put.
     */
    static final int REPLAYABLE_LENGTH = 16 * 1024 * 1024;
    /** S3 DeleteObjects takes at most this many keys. */
    static final int DELETE_BATCH = 1000;
    /** The signing region when an endpoint is given without one: S3-compatible servers accept any. */
    private static final Region ENDPOINT_DEFAULT_REGION = Region.US_EAST_1;

    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final String description;
    /** For failure messages: the description and, for an S3-compatible server, its endpoint. */
    private final String where;
    private final Clock clock;

    public S3BackupStore(BackupStoreSettings settings) {
        this(settings, DEFAULT_API_CALL_TIMEOUT);
    }

    public S3BackupStore(BackupStoreSettings settings, Duration apiCallTimeout) {
        if (!BackupStoreSettings.S3.equals(settings.type())) {
            throw new IllegalArgumentException("not s3 settings: " + settings);
        }
        this.bucket = settings.bucket();
        this.prefix = settings.prefix();
        this.description = "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
        this.where = description + (settings.endpoint() == null ? "" : " at " + settings.endpoint());
        this.clock = Clock.systemUTC();
        this.client = buildClient(settings, apiCallTimeout);
    }

    private static S3Client buildClient(BackupStoreSettings settings, Duration apiCallTimeout) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(ApacheHttpClient.builder()
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(SOCKET_TIMEOUT)
                        .build())
                .overrideConfiguration(o -> o
                        .apiCallTimeout(apiCallTimeout)
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(MAX_ATTEMPTS).build()))
                // Many S3-compatible servers reject the newer default checksum trailers; the backups keep their own
                // SHA-256 per file in the manifest.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(credentials(settings));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        if (settings.region() != null) {
            builder.region(Region.of(settings.region()));
        } else if (settings.endpoint() != null) {
            builder.region(ENDPOINT_DEFAULT_REGION);
        }
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(BackupStoreSettings settings) {
        if (settings.accessKey() != null) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    @Override
    public StoredObject put(String key, InputStream content, long length) throws BackupStoreException {
        Keys.requireValidKey(key);
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative: " + length);
        }
        Upload upload = new Upload(content, length, key);
        try {
            client.putObject(b -> b.bucket(bucket).key(objectKey(key)).contentLength(length),
                    RequestBody.fromContentProvider(upload, length, "application/octet-stream"));
            return new StoredObject(key, length, clock.instant());
        } catch (SdkException e) {
            if (upload.contentFailure != null) {
                throw contentFailure(key, upload.contentFailure, e);
            }
            throw failure("put", key, e);
        } catch (ContentUnavailable e) {
            // The SDK wanted the content again for a retry (of an attempt that failed for reading it, or after
            // a server or network error) and it cannot be had: the caller's stream failed, or was partly sent.
            throw upload.contentFailure != null
                    ? contentFailure(key, upload.contentFailure, e)
                    : new BackupStoreException(BackupStoreException.Reason.FAILED, "put " + key + " in " + where
                            + " failed after " + upload.consumed + " of " + length + " bytes were sent, and objects over "
                            + REPLAYABLE_LENGTH + " bytes are not kept for a retry: " + e.getMessage(), e);
        }
    }

    private BackupStoreException contentFailure(String key, IOException failure, Exception e) {
        BackupStoreException exception = new BackupStoreException(BackupStoreException.Reason.FAILED,
                "put " + key + " in " + where + " failed reading its content: " + failure.getMessage(), failure);
        exception.addSuppressed(e);
        return exception;
    }

    @Override
    public InputStream get(String key) throws BackupStoreException {
        Keys.requireValidKey(key);
        try {
            return client.getObject(b -> b.bucket(bucket).key(objectKey(key)));
        } catch (SdkException e) {
            throw failure("get", key, e);
        }
    }

    @Override
    public Optional<StoredObject> stat(String key) throws BackupStoreException {
        Keys.requireValidKey(key);
        try {
            HeadObjectResponse head = client.headObject(b -> b.bucket(bucket).key(objectKey(key)));
            return Optional.of(new StoredObject(key, head.contentLength(), head.lastModified()));
        } catch (SdkException e) {
            BackupStoreException failure = failure("stat", key, e);
            if (failure.reason() == BackupStoreException.Reason.MISSING) {
                return Optional.empty();
            }
            throw failure;
        }
    }

    @Override
    public List<StoredObject> list(String listPrefix) throws BackupStoreException {
        Keys.requireValidPrefix(listPrefix);
        String fullPrefix = prefix.isEmpty() ? listPrefix : prefix + "/" + listPrefix;
        List<StoredObject> objects = new ArrayList<>();
        try {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(fullPrefix)).contents()) {
                objects.add(new StoredObject(callerKey(object.key()), object.size(), object.lastModified()));
            }
        } catch (SdkException e) {
            throw failure("list", listPrefix, e);
        }
        // S3 sorts by UTF-8 bytes; callers get String order, the same as the filesystem store's.
        objects.sort(Comparator.comparing(StoredObject::key));
        return objects;
    }

    @Override
    public void delete(Collection<String> keys) throws BackupStoreException {
        List<ObjectIdentifier> identifiers = new ArrayList<>(keys.size());
        for (String key : keys) {
            identifiers.add(ObjectIdentifier.builder().key(objectKey(Keys.requireValidKey(key))).build());
        }
        for (int from = 0; from < identifiers.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = identifiers.subList(from, Math.min(from + DELETE_BATCH, identifiers.size()));
            DeleteObjectsResponse response;
            try {
                response = client.deleteObjects(b -> b.bucket(bucket)
                        .delete(Delete.builder().objects(batch).quiet(true).build()));
            } catch (SdkException e) {
                throw failure("delete", batch.size() + " keys from " + callerKey(batch.get(0).key()), e);
            }
            if (response.hasErrors() && !response.errors().isEmpty()) {
                S3Error first = response.errors().get(0);
                // Deleting an absent key is no error on S3, so anything reported here is real.
                BackupStoreException.Reason reason = "AccessDenied".equals(first.code())
                        ? BackupStoreException.Reason.DENIED : BackupStoreException.Reason.FAILED;
                throw new BackupStoreException(reason, "delete in " + where + " failed for "
                        + response.errors().size() + " of " + batch.size() + " keys, first " + callerKey(first.key())
                        + ": " + first.code() + " " + first.message(), null);
            }
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        client.close();
    }

    private String objectKey(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    private String callerKey(String objectKey) {
        return prefix.isEmpty() ? objectKey : objectKey.substring(prefix.length() + 1);
    }

    private BackupStoreException failure(String operation, String key, SdkException e) {
        String what = operation + " " + key + " in " + where;
        if (e instanceof SdkServiceException service) {
            int status = service.statusCode();
            String code = e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws
                    && aws.awsErrorDetails() != null ? aws.awsErrorDetails().errorCode() : null;
            if (e instanceof NoSuchKeyException || (status == 404 && !"NoSuchBucket".equals(code))) {
                return new BackupStoreException(BackupStoreException.Reason.MISSING, "no object: " + what, e);
            }
            if (status == 401 || status == 403) {
                return new BackupStoreException(BackupStoreException.Reason.DENIED,
                        what + " denied (" + status + (code == null ? "" : " " + code) + ")", e);
            }
            if (status == 502 || status == 503 || status == 504) {
                return new BackupStoreException(BackupStoreException.Reason.UNREACHABLE,
                        what + ": the store is unavailable (" + status + ")", e);
            }
            return new BackupStoreException(BackupStoreException.Reason.FAILED,
                    what + " failed (" + status + (code == null ? "" : " " + code) + "): " + e.getMessage(), e);
        }
        if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException || unreachable(e)) {
            return new BackupStoreException(BackupStoreException.Reason.UNREACHABLE,
                    what + ": the store did not answer (" + e.getMessage() + ")", e);
        }
        if (e instanceof AbortedException || e instanceof SdkClientException) {
            return new BackupStoreException(BackupStoreException.Reason.FAILED, what + " failed: " + e.getMessage(), e);
        }
        return new BackupStoreException(BackupStoreException.Reason.FAILED, what + " failed: " + e.getMessage(), e);
    }

    /** Connection refused, no route, an unknown host or a timed-out socket somewhere in the causes. */
    private static boolean unreachable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                    || cause instanceof UnknownHostException || cause instanceof SocketTimeoutException
                    || cause instanceof InterruptedIOException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /**
     * The content of one put as the SDK asks for it, once per attempt. It hands over exactly length bytes of the
     * caller's stream, and fails the upload (instead of sending a short object) when the stream ends early. The
     * caller's stream can be read only once: objects up to {@link #REPLAYABLE_LENGTH} keep the bytes read so
     * far, so that the SDK's retry (a 500, a dropped connection) sends them again; a larger object's retry fails
     * the put if any of it was already read. A failure of the caller's stream is never retried.
     */
    private static final class Upload implements ContentStreamProvider {
        private final InputStream caller;
        private final long length;
        private final String key;
        private final byte[] replay;
        /** Bytes read from the caller's stream so far (and kept in replay, when there is one). */
        private long consumed;
        private volatile IOException contentFailure;
        private boolean handedOut;

        Upload(InputStream caller, long length, String key) {
            this.caller = caller;
            this.length = length;
            this.key = key;
            this.replay = length <= REPLAYABLE_LENGTH ? new byte[(int) length] : null;
        }

        @Override
        public synchronized InputStream newStream() {
            if (contentFailure != null) {
                throw new ContentUnavailable("reading the content failed: " + contentFailure.getMessage());
            }
            if (handedOut && consumed > 0 && replay == null) {
                throw new ContentUnavailable("the content cannot be read twice");
            }
            handedOut = true;
            return new AttemptStream();
        }

        /** One attempt's view: the bytes kept from earlier attempts, then the rest of the caller's stream. */
        private final class AttemptStream extends InputStream {
            private long position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int read = read(one, 0, 1);
                return read < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int count) throws IOException {
                synchronized (Upload.this) {
                    if (position >= length) {
                        return -1;
                    }
                    if (count == 0) {
                        return 0;
                    }
                    if (position < consumed) {
                        int n = (int) Math.min(count, consumed - position);
                        System.arraycopy(replay, (int) position, buffer, offset, n);
                        position += n;
                        return n;
                    }
                    int read;
                    try {
                        read = caller.read(buffer, offset, (int) Math.min(count, length - position));
                    } catch (IOException e) {
                        contentFailure = e;
                        throw e;
                    }
                    if (read < 0) {
                        contentFailure = new IOException("the content of " + key + " ended after " + position + " of "
                                + length + " bytes");
                        throw contentFailure;
                    }
                    if (replay != null) {
                        System.arraycopy(buffer, offset, replay, (int) position, read);
                    }
                    position += read;
                    consumed = position;
                    return read;
                }
            }

            @Override
            public void close() {
                // The caller owns its stream and closes it.
            }
        }
    }

    /** The SDK asked for the content again and it cannot be had; put turns this into a BackupStoreException. */
    private static final class ContentUnavailable extends IllegalStateException {
        ContentUnavailable(String message) {
            super(message);
        }
    }
}
