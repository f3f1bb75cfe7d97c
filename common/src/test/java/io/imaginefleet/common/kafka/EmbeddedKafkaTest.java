package io.imaginefleet.common.kafka;

import io.imaginefleet.common.embedded.EmbeddedKafka;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-process broker: share group with explicit acks and lock renewal, and a restart on the same log dir. */
class EmbeddedKafkaTest {
    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.at(dir.resolve("kafka")).start();
        kafka.createFleetTopics(1);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static List<ConsumerRecord<String, byte[]>> pollUntil(KafkaShareConsumer<String, byte[]> c, int n, long ms) {
        List<ConsumerRecord<String, byte[]>> got = new ArrayList<>();
        long end = System.currentTimeMillis() + ms;
        while (got.size() < n && System.currentTimeMillis() < end) {
            ConsumerRecords<String, byte[]> rs = c.poll(Duration.ofMillis(200));
            rs.forEach(got::add);
        }
        return got;
    }

    @Test
    void shareGroupRenewsLocksAndSurvivesRestart() throws Exception {
        String topic = "renew-test";
        String group = "renew-group";
        kafka.shareGroupFromEarliest(group);
        kafka.setGroupConfig(group, Map.of("share.record.lock.duration.ms", "2000"));
        try (var producer = new KafkaProducer<String, byte[]>(KafkaSettings.producer(kafka.bootstrapServers(), "p"))) {
            producer.send(new ProducerRecord<>(topic, "a", "one".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(topic, "b", "two".getBytes(StandardCharsets.UTF_8))).get();
        }
        try (var c1 = new KafkaShareConsumer<String, byte[]>(KafkaSettings.shareConsumer(kafka.bootstrapServers(), group, "c1"));
             var c2 = new KafkaShareConsumer<String, byte[]>(KafkaSettings.shareConsumer(kafka.bootstrapServers(), group, "c2"))) {
            c1.subscribe(List.of(topic));
            var first = pollUntil(c1, 1, 20_000);
            assertThat(first).hasSize(1);
            ConsumerRecord<String, byte[]> held = first.get(0);
            assertThat(c1.acquisitionLockTimeoutMs()).contains(2000);
            // hold it for 3 lock periods while renewing with commitSync (no poll), another consumer must not get it
            c2.subscribe(List.of(topic));
            long end = System.currentTimeMillis() + 6000;
            List<ConsumerRecord<String, byte[]>> seenByC2 = new ArrayList<>();
            while (System.currentTimeMillis() < end) {
                // RENEW is sent by commitSync; the renewed record then comes back through poll and must be
                // acknowledged in its new instance (the old one can no longer be acknowledged)
                c1.acknowledge(held, AcknowledgeType.RENEW);
                assertThat(c1.commitSync().values()).allSatisfy(v -> assertThat(v).isEmpty());
                ConsumerRecord<String, byte[]> again = null;
                long until = System.currentTimeMillis() + 1500;
                while (again == null && System.currentTimeMillis() < until) {
                    for (var r : c1.poll(Duration.ofMillis(100))) {
                        if (r.offset() == held.offset()) {
                            again = r;
                        } else {
                            c1.acknowledge(r, AcknowledgeType.RELEASE);
                        }
                    }
                }
                assertThat(again).as("renewed record redelivered to the same consumer").isNotNull();
                assertThat(again.deliveryCount()).contains((short) 1);
                held = again;
                for (var r : c2.poll(Duration.ofMillis(600))) {
                    seenByC2.add(r);
                    c2.acknowledge(r, AcknowledgeType.ACCEPT);
                }
                c2.commitSync();
            }
            assertThat(seenByC2).extracting(ConsumerRecord::offset).doesNotContain(held.offset());
            c1.acknowledge(held, AcknowledgeType.ACCEPT);
            assertThat(c1.commitSync().values()).allSatisfy(v -> assertThat(v).isEmpty());
        }
        kafka.restart();
        try (var producer = new KafkaProducer<String, byte[]>(KafkaSettings.producer(kafka.bootstrapServers(), "p2"))) {
            producer.send(new ProducerRecord<>(topic, "c", "three".getBytes(StandardCharsets.UTF_8))).get();
        }
        try (var c3 = new KafkaShareConsumer<String, byte[]>(KafkaSettings.shareConsumer(kafka.bootstrapServers(), group, "c3"))) {
            c3.subscribe(List.of(topic));
            var after = pollUntil(c3, 1, 30_000);
            assertThat(after).extracting(ConsumerRecord::key).containsAnyOf("b", "c");
        }
    }
}
