package io.imaginefleet.bot.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.kafka.FleetTopology;
import io.imaginefleet.common.kafka.KafkaSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Which jobs already had their final message (result, failure or cancellation) posted: the guard that makes
 * posting exactly-once across repeated events and bot restarts.
 *
 * <p>Stored in the compacted Kafka topic {@value #TOPIC} (key = job id, value = outcome, message id and time),
 * read completely at start into memory and appended to (acks=all, synchronously) right after each final post. The
 * only window for a duplicate is a crash between Discord accepting the post and the broker acknowledging the
 * marker (milliseconds); events themselves repeating, or the bot restarting before or after, never repost.
 * Entries older than the topic's retention (30 days) are dropped: no job's events arrive that late.
 */
public final class PostedLedger {
    /** The ledger topic (compacted; 30 days retention). */
    public static final String TOPIC = "imagine.bot.posted";
    private final Producer<String, byte[]> producer;
    private final Set<String> done = ConcurrentHashMap.newKeySet();

    public PostedLedger(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    /** Creates the topic when missing and reads it to the end. */
    public void load(String bootstrap) {
        try (Admin admin = Admin.create(KafkaSettings.admin(bootstrap))) {
            FleetTopology.createIfMissing(admin, List.of(new NewTopic(TOPIC, 1, (short) Math.min(3, brokers(admin)))
                    .configs(Map.of("cleanup.policy", "compact,delete", "retention.ms", String.valueOf(Duration.ofDays(30).toMillis())))));
        }
        Map<String, Object> cfg = KafkaSettings.consumer(bootstrap, null, "imagine-bot-ledger");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cfg)) {
            List<TopicPartition> parts = c.partitionsFor(TOPIC, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(TOPIC, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("could not read " + TOPIC + " within 60 s");
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.key() != null && r.value() != null) done.add(r.key());
                    else if (r.key() != null) done.remove(r.key());
                }
            }
        }
    }

    private static int brokers(Admin admin) {
        try {
            return admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
        } catch (Exception e) {
            return 1;
        }
    }

    public boolean contains(String jobId) {
        return done.contains(jobId);
    }

    /** Records the final post of a job; returns once the broker has it. */
    public void record(String jobId, String outcome, String messageId) {
        done.add(jobId);
        ObjectNode v = JobCodec.mapper().createObjectNode();
        v.put("jobId", jobId).put("outcome", outcome).put("at", Instant.now().toString());
        if (messageId != null) v.put("messageId", messageId);
        try {
            producer.send(new ProducerRecord<>(TOPIC, jobId, JobCodec.toJson(v).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while recording the post of job " + jobId, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not record the post of job " + jobId + ": " + e.getMessage(), e);
        }
    }

    public int size() {
        return done.size();
    }
}
