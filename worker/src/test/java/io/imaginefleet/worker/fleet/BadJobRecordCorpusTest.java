package io.imaginefleet.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imaginefleet.common.embedded.EmbeddedKafka;
import io.imaginefleet.common.embedded.EmbeddedS3;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobEventType;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad-input corpus, Kafka side: malformed or invalid records on {@code imagine.jobs}, sent to a real fleet worker
 * (tiny model) over a real broker. Each must give a {@code failed} event whose message names the problem, a DLQ
 * record carrying the same message, and the worker must go on to serve the good job sent right after it.
 */
class BadJobRecordCorpusTest {
    static EmbeddedKafka kafka;
    static EmbeddedS3 s3;
    static Worker worker;
    static KafkaProducer<String, byte[]> producer;
    static KafkaConsumer<String, byte[]> reader;
    static final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
    static final String S3_SECRET = "corpus-s3-secret-" + java.util.UUID.randomUUID();

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.temporary().start();
        kafka.createFleetTopics(1);
        s3 = EmbeddedS3.inMemory(EmbeddedS3.DEFAULT_ACCESS_KEY, S3_SECRET).start();
        s3.createBucket("imagine");
        Path models = Path.of(System.getProperty("fixtures.dir")).resolve("models");
        WorkerConfig cfg = new WorkerConfig("corpus-worker", kafka.bootstrapServers(), s3.settings("imagine"), models, null,
                null, models, "cpu", 3, 1, Duration.ofSeconds(10), 4096L * 4096L);
        worker = Worker.start(cfg, EngineFactory.create(cfg), FleetObserver.NONE);
        producer = new KafkaProducer<>(KafkaSettings.producer(kafka.bootstrapServers(), "corpus"));
        reader = new KafkaConsumer<>(KafkaSettings.consumer(kafka.bootstrapServers(), null, "corpus-reader"));
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : List.of(Topics.EVENTS, Topics.DLQ)) {
            reader.partitionsFor(t, Duration.ofSeconds(10)).forEach(p -> parts.add(new TopicPartition(t, p.partition())));
        }
        reader.assign(parts);
        reader.seekToBeginning(parts);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            // secrets check: the S3 secret the worker holds never reaches an event or a DLQ record (values or headers)
            synchronized (seen) {
                assertThat(seen).isNotEmpty();
                for (ConsumerRecord<String, byte[]> r : seen) {
                    StringBuilder text = new StringBuilder(r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8));
                    r.headers().forEach(h -> text.append(" ").append(h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)));
                    assertThat(text.toString()).doesNotContain(S3_SECRET);
                }
            }
        } finally {
            close();
        }
    }

    static void close() throws Exception {
        if (reader != null) reader.close();
        if (producer != null) producer.close(Duration.ofSeconds(2));
        if (worker != null) worker.drain(Duration.ofSeconds(5));
        if (s3 != null) s3.close();
        if (kafka != null) kafka.close();
    }

    static Job good(String id) {
        return Job.txt2img(id, "tiny-sd", "a red cube", 64, 64, 2, new Requester("1", "2", "3", "m4")).withSeed(7L);
    }

    static ObjectNode tree(String id) {
        try {
            return (ObjectNode) JobCodec.mapper().readTree(JobCodec.encode(good(id)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static Function<String, byte[]> edit(java.util.function.Consumer<ObjectNode> change) {
        return id -> {
            ObjectNode n = tree(id);
            change.accept(n);
            return n.toString().getBytes(StandardCharsets.UTF_8);
        };
    }

    static Function<String, byte[]> raw(String text) {
        return id -> text.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> corpus() {
        return Stream.of(
                Arguments.of("not JSON at all", raw("hello, I am not JSON"), "not valid JSON"),
                Arguments.of("empty record", (Function<String, byte[]>) id -> new byte[0], "empty"),
                Arguments.of("JSON array", raw("[1, 2, 3]"), "not a JSON object"),
                Arguments.of("JSON string", raw("\"txt2img\""), "not a JSON object"),
                Arguments.of("truncated JSON", (Function<String, byte[]>) id -> {
                    byte[] b = JobCodec.encode(good(id));
                    return java.util.Arrays.copyOf(b, b.length / 2);
                }, "not valid JSON"),
                Arguments.of("binary garbage", (Function<String, byte[]>) id -> new byte[] {0, (byte) 0xFF, 0x13, 0x7F, (byte) 0x80}, "JSON"),
                Arguments.of("schema version 2", edit(n -> n.put("schema", 2)), "unsupported version 2"),
                Arguments.of("schema missing", edit(n -> n.remove("schema")), "schema"),
                Arguments.of("schema not a number", edit(n -> n.put("schema", "one")), "must be an integer"),
                Arguments.of("kind missing", edit(n -> n.remove("kind")), "kind"),
                Arguments.of("unknown kind", edit(n -> n.put("kind", "video")), "video"),
                Arguments.of("prompt missing", edit(n -> n.remove("prompt")), "prompt"),
                Arguments.of("empty prompt", edit(n -> n.put("prompt", "")), "prompt"),
                Arguments.of("1 MB prompt", edit(n -> n.put("prompt", "a".repeat(1_000_000))), "larger than the limit"),
                Arguments.of("NUL in prompt", edit(n -> n.put("prompt", "a\u0000cat")), "control characters"),
                Arguments.of("width not multiple of 8", edit(n -> n.put("width", 100)), "width"),
                Arguments.of("width 100000", edit(n -> n.put("width", 100000)), "width"),
                Arguments.of("negative height", edit(n -> n.put("height", -64)), "height"),
                Arguments.of("steps 0", edit(n -> n.put("steps", 0)), "steps"),
                Arguments.of("steps not a number", edit(n -> n.put("steps", "many")), "steps"),
                Arguments.of("guidance negative", edit(n -> n.put("guidance", -3.0)), "guidance"),
                Arguments.of("count 9", edit(n -> n.put("count", 9)), "count"),
                Arguments.of("unknown model", edit(n -> n.put("model", "sdxl-huge")), "sdxl-huge"),
                Arguments.of("img2img without input image", edit(n -> n.put("kind", "img2img")), "inputImage"),
                Arguments.of("deadline in the past", edit(n -> n.put("deadline", Instant.parse("2001-01-01T00:00:00Z").toString())), "deadline"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void badRecordFailsWithAClearMessageGoesToTheDlqAndTheNextJobIsServed(String name, Function<String, byte[]> record,
                                                                            String expected) throws Exception {
        String badId = Job.newId();
        String goodId = Job.newId();
        producer.send(new ProducerRecord<>(Topics.JOBS, badId, record.apply(badId))).get(10, TimeUnit.SECONDS);
        producer.send(new ProducerRecord<>(Topics.JOBS, goodId, JobCodec.encode(good(goodId)))).get(10, TimeUnit.SECONDS);

        JobEvent failed = JobCodec.decodeEvent(await(r -> r.topic().equals(Topics.EVENTS) && badId.equals(r.key())
                && JobCodec.decodeEvent(r.value()).type() == JobEventType.FAILED).value());
        assertThat(failed.message()).as(name).contains(expected);
        assertThat(failed.retryable()).isFalse();

        ConsumerRecord<String, byte[]> dlq = await(r -> r.topic().equals(Topics.DLQ) && badId.equals(r.key()));
        assertThat(new String(dlq.headers().lastHeader(Topics.H_ERROR_MESSAGE).value(), StandardCharsets.UTF_8)).contains(expected);

        JobEvent done = JobCodec.decodeEvent(await(r -> r.topic().equals(Topics.EVENTS) && goodId.equals(r.key())
                && JobCodec.decodeEvent(r.value()).type() != JobEventType.ACCEPTED
                && JobCodec.decodeEvent(r.value()).type() != JobEventType.PROGRESS).value());
        assertThat(done.type()).as("the good job after '%s'", name).isEqualTo(JobEventType.COMPLETED);
        assertThat(worker.consumer().isRunning()).isTrue();
    }

    static ConsumerRecord<String, byte[]> await(Predicate<ConsumerRecord<String, byte[]>> p) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            synchronized (seen) {
                for (ConsumerRecord<String, byte[]> r : seen) if (p.test(r)) return r;
                reader.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
        }
        throw new AssertionError("no matching record within 120 s");
    }
}
