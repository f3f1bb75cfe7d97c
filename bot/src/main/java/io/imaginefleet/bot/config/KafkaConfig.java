package io.imaginefleet.bot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Kafka ({@code kafka.*}; environment {@code KAFKA_BOOTSTRAP_SERVERS}). */
@ConfigMapping(prefix = "kafka")
public interface KafkaConfig {
    @WithDefault("localhost:9092")
    String bootstrapServers();
}
