package io.imaginefleet.bot.ops;

import java.util.Map;
import java.util.Properties;

import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.storage.S3Settings;

/**
 * Kafka connection settings for the operator tools, from the same environment variables the apps read:
 * {@code KAFKA_BOOTSTRAP_SERVERS} (default {@code localhost:9092}) and, for secured clusters,
 * {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG}; S3 from the
 * apps' {@code S3_*} variables.
 */
public final class OpsConfig {
    private OpsConfig() {
    }

    public static Properties kafkaProperties(Map<String, String> env, String bootstrapOverride) {
        Properties p = new Properties();
        String bootstrap = bootstrapOverride != null && !bootstrapOverride.isBlank() ? bootstrapOverride
                : env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        p.put("bootstrap.servers", bootstrap);
        p.putAll(KafkaSettings.security(env));
        return p;
    }

    /** S3 as the apps read it: {@code S3_ENDPOINT, S3_REGION (us-east-1), S3_BUCKET (imagine), S3_ACCESS_KEY, S3_SECRET_KEY, S3_PATH_STYLE}. */
    public static S3Settings s3Settings(Map<String, String> env) {
        return S3Settings.fromEnv(env, Map.of("S3_BUCKET", "imagine", "S3_REGION", "us-east-1"));
    }
}
