package io.imaginefleet.common.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The S3 blob store behind inputs, results and model prefixes (AWS SDK v2, URL-connection HTTP client). Works with
 * AWS and S3-compatible servers: custom endpoint, path-style, and checksums only when required (S3Proxy and some
 * others reject the SDK's default trailing checksums). Failures become {@link BlobStoreException} with a transient
 * flag. Thread-safe; close when done.
 */
public final class BlobStore implements AutoCloseable {
    private final S3Settings settings;
    private final S3Client s3;
    private final S3Presigner presigner;

    public BlobStore(S3Settings settings) {
        this(settings, Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    public BlobStore(S3Settings settings, Duration connectTimeout, Duration socketTimeout) {
        this.settings = settings;
        AwsCredentialsProvider creds = settings.accessKey() != null && settings.secretKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()))
                : DefaultCredentialsProvider.builder().build();
        S3Configuration s3conf = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
        var b = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(connectTimeout).socketTimeout(socketTimeout))
                .region(Region.of(settings.region()))
                .credentialsProvider(creds)
                .serviceConfiguration(s3conf)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(2)));
        var p = S3Presigner.builder().region(Region.of(settings.region())).credentialsProvider(creds).serviceConfiguration(s3conf);
        if (settings.endpoint() != null) {
            b.endpointOverride(settings.endpoint());
            p.endpointOverride(settings.endpoint());
        }
        this.s3 = b.build();
        this.presigner = p.build();
    }

    public S3Settings settings() {
        return settings;
    }

    public String bucket() {
        return settings.bucket();
    }

    /** Creates the bucket when it does not exist yet. */
    public void ensureBucket() {
        call("create bucket " + bucket(), () -> {
            try {
                s3.headBucket(r -> r.bucket(bucket()));
                return null;
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
            }
            try {
                s3.createBucket(r -> r.bucket(bucket()));
            } catch (BucketAlreadyOwnedByYouException e) {
                // raced with another creator: fine
            }
            return null;
        });
    }

    public void put(String key, byte[] bytes, String contentType) {
        call("put " + key, () -> s3.putObject(r -> r.bucket(bucket()).key(key).contentType(contentType),
                RequestBody.fromBytes(bytes)));
    }

    /** The object's bytes; a missing key fails with {@link BlobStoreException#isNotFound()} true. */
    public byte[] get(String key) {
        return call("get " + key, () -> s3.getObjectAsBytes(r -> r.bucket(bucket()).key(key)).asByteArray());
    }

    /** Streams the object into {@code file} (replacing it); for objects too large for memory (model weights). */
    public void download(String key, java.nio.file.Path file) {
        call("get " + key, () -> {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return s3.getObject(r -> r.bucket(bucket()).key(key), software.amazon.awssdk.core.sync.ResponseTransformer.toFile(file));
        });
    }

    /** Size in bytes of the object, or empty when it does not exist. */
    public Optional<Long> head(String key) {
        try {
            HeadObjectResponse h = call("head " + key, () -> s3.headObject(r -> r.bucket(bucket()).key(key)));
            return Optional.of(h.contentLength());
        } catch (BlobStoreException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public boolean exists(String key) {
        return head(key).isPresent();
    }

    public void delete(String key) {
        call("delete " + key, () -> s3.deleteObject(r -> r.bucket(bucket()).key(key)));
    }

    /** Keys under {@code prefix}, all pages, in S3's (lexicographic) order. */
    public List<String> list(String prefix) {
        return call("list " + prefix, () -> {
            List<String> keys = new ArrayList<>();
            var req = ListObjectsV2Request.builder().bucket(bucket()).prefix(prefix).build();
            for (var page : s3.listObjectsV2Paginator(req)) {
                for (S3Object o : page.contents()) {
                    keys.add(o.key());
                }
            }
            return keys;
        });
    }

    /** A presigned GET URL for {@code key}, valid for {@code ttl}. */
    public URL presignedGet(String key, Duration ttl) {
        return presigner.presignGetObject(r -> r.signatureDuration(ttl).getObjectRequest(g -> g.bucket(bucket()).key(key))).url();
    }

    /** Cheap reachability check (head bucket); false on any failure. */
    public boolean reachable() {
        try {
            s3.headBucket(r -> r.bucket(bucket()));
            return true;
        } catch (SdkException e) {
            return false;
        }
    }

    private <T> T call(String what, Supplier<T> op) {
        try {
            return op.get();
        } catch (NoSuchKeyException e) {
            throw new BlobStoreException("S3 " + what + ": no such key in bucket " + bucket(), e, false, true);
        } catch (S3Exception e) {
            int status = e.statusCode();
            boolean transientFailure = status >= 500 || status == 429 || status == 408;
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            throw new BlobStoreException("S3 " + what + " failed: HTTP " + status + (code == null ? "" : " " + code),
                    e, transientFailure, status == 404);
        } catch (SdkClientException e) {
            throw new BlobStoreException("S3 " + what + " failed: " + e.getClass().getSimpleName()
                    + " (S3 at " + (settings.endpoint() == null ? "AWS" : settings.endpoint()) + " unreachable?)", e, true, false);
        } catch (SdkException e) {
            throw new BlobStoreException("S3 " + what + " failed: " + e.getClass().getSimpleName(), e, e.retryable(), false);
        }
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }
}
