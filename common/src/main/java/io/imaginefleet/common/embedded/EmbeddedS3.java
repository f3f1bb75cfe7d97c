package io.imaginefleet.common.embedded;

import io.imaginefleet.common.storage.BlobStore;
import io.imaginefleet.common.storage.S3Settings;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * An S3-compatible server (S3Proxy) in this JVM, for tests and the local run: objects as files under a directory
 * ({@code filesystem-nio2}) or in memory ({@code transient-nio2}), path-style, AWS v2/v4 signatures with the given
 * keys. {@link #stop()} and {@link #start()} again keep the port and (for the file store) the data, for outage tests.
 * <p>
 * {@link #fromEnvOrStart} uses an external server instead when {@code S3_ENDPOINT} is set (with {@code S3_ACCESS_KEY},
 * {@code S3_SECRET_KEY}, {@code S3_REGION}).
 */
public final class EmbeddedS3 implements AutoCloseable {
    public static final String DEFAULT_ACCESS_KEY = "imagine-local";

    private final Path dir;
    private final String accessKey;
    private final String secretKey;
    private final int port;
    private final URI externalEndpoint;
    private BlobStoreContext context;
    private S3Proxy proxy;

    private EmbeddedS3(Path dir, String accessKey, String secretKey, URI externalEndpoint) {
        this.dir = dir;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.externalEndpoint = externalEndpoint;
        this.port = externalEndpoint == null ? FreePorts.pick() : -1;
    }

    /** Objects stored as files under {@code dir} (kept across stop/start and across runs). */
    public static EmbeddedS3 filesystem(Path dir, String accessKey, String secretKey) {
        return new EmbeddedS3(dir, accessKey, secretKey, null);
    }

    /** Objects kept in memory only (lost on {@link #stop()}). */
    public static EmbeddedS3 inMemory(String accessKey, String secretKey) {
        return new EmbeddedS3(null, accessKey, secretKey, null);
    }

    /** External S3 from env {@code S3_ENDPOINT} when set, else a started embedded one (files under dir, or in memory). */
    public static EmbeddedS3 fromEnvOrStart(Path dirOrNull, String accessKey, String secretKey) {
        String env = System.getenv("S3_ENDPOINT");
        if (env != null && !env.isBlank()) {
            return new EmbeddedS3(null, System.getenv().getOrDefault("S3_ACCESS_KEY", accessKey),
                    System.getenv().getOrDefault("S3_SECRET_KEY", secretKey), URI.create(env));
        }
        EmbeddedS3 s = dirOrNull == null ? inMemory(accessKey, secretKey) : filesystem(dirOrNull, accessKey, secretKey);
        s.start();
        return s;
    }

    public boolean isExternal() {
        return externalEndpoint != null;
    }

    public URI endpoint() {
        return externalEndpoint != null ? externalEndpoint : URI.create("http://127.0.0.1:" + port);
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** Settings for a {@link BlobStore} on this server and {@code bucket}. */
    public S3Settings settings(String bucket) {
        String region = externalEndpoint != null ? System.getenv().getOrDefault("S3_REGION", "us-east-1") : "us-east-1";
        return new S3Settings(endpoint(), region, bucket, accessKey, secretKey, true);
    }

    /** Creates {@code bucket} if missing. */
    public void createBucket(String bucket) {
        try (BlobStore b = new BlobStore(settings(bucket))) {
            b.ensureBucket();
        }
    }

    public synchronized boolean isRunning() {
        return externalEndpoint != null || proxy != null;
    }

    public synchronized EmbeddedS3 start() {
        if (externalEndpoint != null || proxy != null) {
            return this;
        }
        try {
            Properties props = new Properties();
            String provider = "transient-nio2";
            if (dir != null) {
                Files.createDirectories(dir);
                props.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
                provider = "filesystem-nio2";
            }
            if (context == null) {
                context = ContextBuilder.newBuilder(provider).credentials("identity", "credential")
                        .overrides(props).buildView(BlobStoreContext.class);
            }
            S3Proxy p = S3Proxy.builder()
                    .blobStore(context.getBlobStore())
                    .endpoint(URI.create("http://127.0.0.1:" + port))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                    .build();
            p.start();
            long end = System.currentTimeMillis() + 30_000;
            while (!"STARTED".equals(p.getState()) && System.currentTimeMillis() < end) {
                Thread.sleep(20);
            }
            proxy = p;
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("could not start S3Proxy on port " + port + ": " + e.getMessage(), e);
        }
    }

    /** Stops serving (clients get connection refused); in-memory data survives only until {@link #close()}. */
    public synchronized void stop() {
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                throw new IllegalStateException("could not stop S3Proxy: " + e.getMessage(), e);
            } finally {
                proxy = null;
            }
        }
    }

    @Override
    public synchronized void close() {
        stop();
        if (context != null) {
            context.close();
            context = null;
        }
    }
}
