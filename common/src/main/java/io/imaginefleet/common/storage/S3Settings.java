package io.imaginefleet.common.storage;

import java.net.URI;
import java.util.Map;

/**
 * Where the blob store lives. {@code endpoint} null means AWS itself; S3-compatible servers (MinIO, S3Proxy) need
 * {@code pathStyle=true}. {@code accessKey}/{@code secretKey} null means the SDK's default credential chain.
 * {@link #toString()} never prints the secret.
 */
public record S3Settings(URI endpoint, String region, String bucket, String accessKey, String secretKey, boolean pathStyle) {

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("S3 bucket must be set (S3_BUCKET)");
        }
        if (region == null || region.isBlank()) {
            region = "us-east-1";
        }
    }

    /**
     * From environment-style names: {@code S3_ENDPOINT, S3_REGION, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY,
     * S3_PATH_STYLE}; {@code defaults} fills what {@code env} lacks.
     */
    public static S3Settings fromEnv(Map<String, String> env, Map<String, String> defaults) {
        java.util.function.Function<String, String> get = k -> {
            String v = env.get(k);
            return v == null || v.isBlank() ? defaults.get(k) : v;
        };
        String endpoint = get.apply("S3_ENDPOINT");
        String pathStyle = get.apply("S3_PATH_STYLE");
        return new S3Settings(endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint),
                get.apply("S3_REGION"), get.apply("S3_BUCKET"), get.apply("S3_ACCESS_KEY"), get.apply("S3_SECRET_KEY"),
                pathStyle == null ? endpoint != null : Boolean.parseBoolean(pathStyle));
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", accessKey="
                + (accessKey == null ? "default chain" : "***") + ", secretKey=" + (secretKey == null ? "default chain" : "***")
                + ", pathStyle=" + pathStyle + "]";
    }
}
