package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.storage.S3Settings;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything a worker needs, independent of Quarkus (the Quarkus app maps its {@code @ConfigMapping} onto this;
 * {@link WorkerMain} reads it from the environment). Environment names and defaults:
 * {@code KAFKA_BOOTSTRAP_SERVERS} (localhost:9092), {@code S3_ENDPOINT} (AWS), {@code S3_REGION} (us-east-1),
 * {@code S3_BUCKET} (imagine), {@code S3_ACCESS_KEY}/{@code S3_SECRET_KEY} (default chain), {@code S3_PATH_STYLE}
 * (true when an endpoint is set), {@code WORKER_MODEL_DIR} (a diffusers folder or a folder of them),
 * {@code WORKER_MODEL_S3_PREFIX} (download that prefix into {@code WORKER_MODEL_CACHE}, default
 * ~/.cache/imagine-fleet/models), {@code WORKER_MODEL_NAME} (the name jobs use; default the folder name),
 * {@code WORKER_ID} (host-pid), {@code WORKER_DEVICE} (cpu|cuda), {@code WORKER_MAX_ATTEMPTS} (4),
 * {@code WORKER_PROGRESS_EVERY} (5 steps), {@code WORKER_DRAIN_GRACE} (60s; a duration as Quarkus reads it),
 * {@code WORKER_MAX_INPUT_PIXELS} (16777216).
 */
public record WorkerConfig(String workerId, String kafkaBootstrap, S3Settings s3, Path modelDir, String modelS3Prefix,
                           String modelName, Path modelCache, String device, int maxAttempts, int progressEvery,
                           Duration drainGrace, long maxInputPixels) {

    /** From environment variables (see the class comment). */
    public static WorkerConfig fromEnv(Map<String, String> env) {
        Map<String, String> s3Defaults = new HashMap<>();
        s3Defaults.put("S3_BUCKET", "imagine");
        s3Defaults.put("S3_REGION", "us-east-1");
        String modelDir = blankToNull(env.get("WORKER_MODEL_DIR"));
        return new WorkerConfig(
                or(env.get("WORKER_ID"), defaultWorkerId()),
                or(env.get("KAFKA_BOOTSTRAP_SERVERS"), "localhost:9092"),
                S3Settings.fromEnv(env, s3Defaults),
                modelDir == null ? null : Path.of(modelDir),
                blankToNull(env.get("WORKER_MODEL_S3_PREFIX")),
                blankToNull(env.get("WORKER_MODEL_NAME")),
                Path.of(or(env.get("WORKER_MODEL_CACHE"), System.getProperty("user.home") + "/.cache/imagine-fleet/models")),
                or(env.get("WORKER_DEVICE"), "cpu"),
                Integer.parseInt(or(env.get("WORKER_MAX_ATTEMPTS"), "4")),
                Integer.parseInt(or(env.get("WORKER_PROGRESS_EVERY"), "5")),
                duration("WORKER_DRAIN_GRACE", or(env.get("WORKER_DRAIN_GRACE"), "60s")),
                Long.parseLong(or(env.get("WORKER_MAX_INPUT_PIXELS"), String.valueOf(4096L * 4096L))));
    }

    /** {@code hostname-pid}. */
    public static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "worker";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /**
     * A duration written as Quarkus configuration does: a number of seconds ({@code 840}), a number with a unit
     * ({@code 500ms}, {@code 840s}, {@code 14m}, {@code 2h}, {@code 1d}) or ISO-8601 ({@code PT14M}).
     */
    static Duration duration(String name, String value) {
        String v = value.trim();
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(v.toLowerCase());
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2) == null ? "s" : m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    default -> Duration.ofSeconds(n);
                };
            }
            return Duration.parse(v.toUpperCase());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + " must be a duration like 60s, 14m or PT14M, got '" + value + "'");
        }
    }

    private static String or(String v, String def) {
        return v == null || v.isBlank() ? def : v;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v;
    }
}
