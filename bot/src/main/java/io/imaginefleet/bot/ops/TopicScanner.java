package io.imaginefleet.bot.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Reads a topic from its beginning up to the end offsets seen when the scan starts, without a consumer group
 * (manual assignment, nothing committed), so operator reads never disturb the workers' share group or the
 * bot's consumer group. When a key is given, only the partition the default partitioner puts that key in is
 * read (the job id is the key on every topic).
 */
public final class TopicScanner {

    private static final Duration POLL = Duration.ofMillis(500);

    private final Properties clientProps;
    private final Duration timeout;

    /**
     * @param clientProps connection settings shared with the apps (bootstrap servers, security)
     * @param timeout     how long a scan may take before it fails with a clear message
     */
    public TopicScanner(Properties clientProps, Duration timeout) {
        this.clientProps = clientProps;
        this.timeout = timeout;
    }

    /** Every record of {@code topic} present when the scan starts, in partition/offset order per partition. */
    public void scan(String topic, Consumer<ConsumerRecord<String, byte[]>> sink) {
        scan(topic, null, sink);
    }

    /** Records of {@code topic}; with a non-null key only the key's partition is read (others may still match). */
    public void scan(String topic, String keyOrNull, Consumer<ConsumerRecord<String, byte[]>> sink) {
        Properties p = new Properties();
        p.putAll(clientProps);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "fleetctl");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return; // the topic does not exist yet: nothing has been written to it
            }
            List<TopicPartition> parts = new ArrayList<>();
            if (keyOrNull != null) {
                int n = infos.size();
                int partition = Utils.toPositive(Utils.murmur2(keyOrNull.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % n;
                parts.add(new TopicPartition(topic, partition));
            } else {
                for (PartitionInfo info : infos) {
                    parts.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(parts, timeout));
            end.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
            while (!end.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new OpsException("reading " + topic + " took longer than " + timeout.toSeconds()
                            + " s (is the broker reachable?)");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
                    Long stop = end.get(new TopicPartition(r.topic(), r.partition()));
                    if (stop != null && r.offset() < stop) {
                        sink.accept(r);
                    }
                }
                Predicate<Map.Entry<TopicPartition, Long>> done = e -> consumer.position(e.getKey(), timeout) >= e.getValue();
                end.entrySet().removeIf(done);
            }
        }
    }
}
