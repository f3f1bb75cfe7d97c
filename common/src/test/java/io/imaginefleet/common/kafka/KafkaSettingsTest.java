package io.imaginefleet.common.kafka;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Secured-cluster settings reach the real Kafka client the way the apps build it. */
class KafkaSettingsTest {
    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"bot\" password=\"pw\";";

    @Test
    void securityVariablesBecomeClientProperties() {
        Map<String, Object> m = KafkaSettings.security(Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM", " PLAIN ", "KAFKA_SASL_JAAS_CONFIG", JAAS,
                "KAFKA_BOOTSTRAP_SERVERS", "ignored:9092"));
        assertThat(m).containsExactlyInAnyOrderEntriesOf(Map.of(
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config", JAAS));
        assertThat(KafkaSettings.security(Map.of("KAFKA_SECURITY_PROTOCOL", "  "))).isEmpty();
    }

    @Test
    void aSaslProducerIsBuiltFromThemAndABadJaasLineIsRefusedByTheClient() {
        Map<String, Object> props = KafkaSettings.producer("127.0.0.1:1", "sasl-check");
        props.putAll(KafkaSettings.security(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "PLAIN", "KAFKA_SASL_JAAS_CONFIG", JAAS)));
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props)) {
            p.close(Duration.ZERO);
        }
        props.put("sasl.jaas.config", "not a jaas line");
        assertThatThrownBy(() -> new KafkaProducer<String, byte[]>(props)).isInstanceOf(KafkaException.class);
    }
}
