package io.imaginefleet.bot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Kafka ({@code kafka.bootstrap.servers}; environment {@code KAFKA_BOOTSTRAP_SERVERS}) — the same property the
 * operator tools read.
 */
@ConfigMapping(prefix = "kafka.bootstrap")
public interface KafkaConfig {
    @WithDefault("localhost:9092")
    String servers();
}
