package io.imaginefleet.bot.config;

import io.imaginefleet.common.storage.S3Settings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.util.Optional;

/**
 * S3 ({@code s3.*}; environment {@code S3_ENDPOINT}, {@code S3_REGION}, {@code S3_BUCKET}, {@code S3_ACCESS_KEY},
 * {@code S3_SECRET_KEY}, {@code S3_PATH_STYLE}: the same names as the worker's).
 */
@ConfigMapping(prefix = "s3")
public interface S3Config {
    Optional<String> endpoint();

    @WithDefault("us-east-1")
    String region();

    @WithDefault("imagine")
    String bucket();

    Optional<String> accessKey();

    Optional<String> secretKey();

    /** Default: true when an endpoint is set (S3-compatible servers), false for AWS. */
    Optional<Boolean> pathStyle();

    /** As the common blob store's settings. */
    default S3Settings toSettings() {
        return new S3Settings(endpoint().filter(s -> !s.isBlank()).map(URI::create).orElse(null), region(), bucket(),
                accessKey().orElse(null), secretKey().orElse(null), pathStyle().orElse(endpoint().isPresent()));
    }
}
