package io.imaginefleet.common.kafka;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;

/**
 * Kafka client settings shared by both apps: keys are strings (job ids), values raw bytes (decoded by
 * {@code JobCodec}, so a malformed value never breaks a deserializer). Returned maps are mutable copies.
 *
 * <p>Every builder also applies the secured-cluster settings of the process environment ({@link #security}):
 * {@code KAFKA_SECURITY_PROTOCOL} (e.g. SASL_SSL), {@code KAFKA_SASL_MECHANISM} (e.g. SCRAM-SHA-512) and
 * {@code KAFKA_SASL_JAAS_CONFIG}, so the bot, the workers and the operator tools reach a SASL cluster alike.
 */
public final class KafkaSettings {
    private KafkaSettings() {
    }

    /** The Kafka client properties of the secured-cluster variables set (non-blank) in {@code env}. */
    public static Map<String, Object> security(Map<String, String> env) {
        Map<String, Object> m = new HashMap<>();
        copy(env, "KAFKA_SECURITY_PROTOCOL", m, "security.protocol");
        copy(env, "KAFKA_SASL_MECHANISM", m, "sasl.mechanism");
        copy(env, "KAFKA_SASL_JAAS_CONFIG", m, "sasl.jaas.config");
        return m;
    }

    private static void copy(Map<String, String> env, String var, Map<String, Object> m, String key) {
        String v = env.get(var);
        if (v != null && !v.isBlank()) {
            m.put(key, v.strip());
        }
    }

    private static Map<String, Object> secured(Map<String, Object> m) {
        m.putAll(security(System.getenv()));
        return m;
    }

    /** Idempotent producer, acks=all, small batches (events are small and latency matters). */
    public static Map<String, Object> producer(String bootstrap, String clientId) {
        Map<String, Object> m = new HashMap<>();
        m.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        m.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        m.put(ProducerConfig.ACKS_CONFIG, "all");
        m.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        m.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        m.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        m.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        m.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        m.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        m.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return secured(m);
    }

    /**
     * Share consumer with explicit acknowledgement, one record per poll ({@code share.acquire.mode=record_limit},
     * {@code max.poll.records=1}): a worker holds at most one job.
     */
    public static Map<String, Object> shareConsumer(String bootstrap, String group, String clientId) {
        Map<String, Object> m = new HashMap<>();
        m.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        m.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        m.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        m.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        m.put(ConsumerConfig.SHARE_ACQUIRE_MODE_CONFIG, "record_limit");
        m.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        m.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        m.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return secured(m);
    }

    /** Classic consumer in a consumer group (the bot on {@code imagine.events}; tools), manual commits, from earliest. */
    public static Map<String, Object> consumer(String bootstrap, String group, String clientId) {
        Map<String, Object> m = new HashMap<>();
        m.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        if (group != null) {
            m.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        m.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        m.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        m.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        m.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        m.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        m.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return secured(m);
    }

    /** Admin client. */
    public static Map<String, Object> admin(String bootstrap) {
        Map<String, Object> m = new HashMap<>();
        m.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        m.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        m.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return secured(m);
    }
}
