package io.imaginefleet.bot.flow;

import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.bot.core.FleetBot;
import io.imaginefleet.bot.discord.DiscordConnection;
import io.imaginefleet.bot.discord.DiscordStandIn;
import io.imaginefleet.common.embedded.EmbeddedKafka;
import io.imaginefleet.common.embedded.EmbeddedS3;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.storage.BlobStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One test class's world: a real Kafka broker (in-process KRaft), a real S3 server (S3Proxy), the Discord stand-in
 * and helpers to start bots against them, publish events and read topics.
 */
final class FleetEnv implements AutoCloseable {
    static final String MODEL = "tiny-sd";
    static final String INPAINT_MODEL = "tiny-sd-inpaint";
    static final String UPSCALE_MODEL = "tiny-sd-x4-upscaler";
    static final String S3_SECRET = "s3-secret-" + UUID.randomUUID();

    final EmbeddedKafka kafka;
    final EmbeddedS3 s3;
    final BlobStore blobs;
    final DiscordStandIn discord;
    private final KafkaProducer<String, byte[]> producer;
    private final List<FleetBot> bots = new ArrayList<>();

    FleetEnv() throws Exception {
        kafka = EmbeddedKafka.temporary().start();
        kafka.createFleetTopics(1);
        s3 = EmbeddedS3.inMemory(EmbeddedS3.DEFAULT_ACCESS_KEY, S3_SECRET).start();
        s3.createBucket("imagine");
        blobs = new BlobStore(s3.settings("imagine"));
        discord = new DiscordStandIn();
        producer = new KafkaProducer<>(KafkaSettings.producer(kafka.bootstrapServers(), "test-events"));
    }

    /** Settings for a bot against this world: tiny models, stand-in CDN allowed, short progress interval. */
    BotSettings settings() {
        return BotSettings.defaults(new DiscordConnection.Endpoint(DiscordStandIn.BOT_TOKEN, Optional.of(discord.restBaseUrl()),
                        Optional.of(discord.gatewayUrl()), List.of(DiscordStandIn.GUILD_ID)), kafka.bootstrapServers())
                .withAttachmentHosts(List.of(discord.cdnHost()))
                .withModels(List.of(MODEL), INPAINT_MODEL, UPSCALE_MODEL)
                .withTiming(Duration.ofMinutes(14), Duration.ofMillis(100))
                .withSizes(10L * 1024 * 1024, 4L * 1024 * 1024, 4096L * 4096L, 64, 4);
    }

    FleetBot startBot(BotSettings s) throws InterruptedException {
        FleetBot bot = FleetBot.start(s, blobs, new SimpleMeterRegistry(), List.of());
        bots.add(bot);
        return bot;
    }

    void publish(JobEvent e) throws Exception {
        producer.send(new ProducerRecord<>(Topics.EVENTS, e.jobId(), JobCodec.encode(e))).get(10, TimeUnit.SECONDS);
    }

    void produceJob(Job job) throws Exception {
        producer.send(new ProducerRecord<>(Topics.JOBS, job.id(), JobCodec.encode(job))).get(10, TimeUnit.SECONDS);
    }

    /** Every record value on a topic, as text (for counting jobs and the secrets check). */
    List<ConsumerRecord<String, byte[]>> records(String topic) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaSettings.consumer(kafka.bootstrapServers(), null, "test-reader"))) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    List<Job> jobs() {
        return records(Topics.JOBS).stream().map(r -> JobCodec.decodeJob(r.value())).toList();
    }

    /** All text the system wrote to Kafka (keys, values, headers), for the secrets check. */
    String kafkaText() {
        StringBuilder sb = new StringBuilder();
        try (var admin = kafka.admin()) {
            for (String t : admin.listTopics().names().get(10, TimeUnit.SECONDS)) {
                for (ConsumerRecord<String, byte[]> r : records(t)) {
                    sb.append(r.key()).append(' ');
                    if (r.value() != null) sb.append(new String(r.value(), StandardCharsets.UTF_8)).append('\n');
                    r.headers().forEach(h -> sb.append(h.key()).append('=').append(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return sb.toString();
    }

    @Override
    public void close() throws Exception {
        for (FleetBot b : bots) b.close();
        producer.close(Duration.ofSeconds(2));
        discord.close();
        blobs.close();
        s3.close();
        kafka.close();
    }
}
