package io.imaginefleet.bot.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import javax.imageio.ImageIO;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.imaginefleet.common.embedded.EmbeddedKafka;
import io.imaginefleet.common.embedded.EmbeddedS3;
import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.storage.BlobStore;
import io.imaginefleet.common.storage.S3Settings;
import io.imaginefleet.worker.fleet.EngineFactory;
import io.imaginefleet.worker.fleet.FleetObserver;
import io.imaginefleet.worker.fleet.Worker;
import io.imaginefleet.worker.fleet.WorkerConfig;

/**
 * The operator's story with real parts: a worker deployed under the wrong model name fails a job permanently
 * ({@code unknown_model}), the job lands in the DLQ; the worker is redeployed right; {@code fleetctl replay} sends
 * the job again, a real worker on the tiny model completes it (PNG in S3, {@code completed} event), and a second
 * replay of the same job is refused.
 */
class ReplayWithWorkerTest {

    static final Path TINY = Path.of(System.getProperty("fixtures.dir")).resolve("models/tiny-sd");

    static WorkerConfig config(String id, String bootstrap, S3Settings s3, String modelName) {
        return new WorkerConfig(id, bootstrap, s3, TINY, null, modelName, Path.of(System.getProperty("java.io.tmpdir"), "model-cache"),
                "cpu", 3, 1, Duration.ofSeconds(5), 4096L * 4096L);
    }

    static Optional<DlqRecord> awaitDlq(DlqReader reader, String jobId, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            Optional<DlqRecord> r = reader.show(jobId);
            if (r.isPresent()) {
                return r;
            }
            Thread.sleep(300);
        }
        return Optional.empty();
    }

    static JobTimeline.View awaitState(JobTimeline timeline, String jobId, String state, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        JobTimeline.View v = timeline.of(jobId);
        while (!state.equals(v.state()) && System.nanoTime() < end) {
            Thread.sleep(300);
            v = timeline.of(jobId);
        }
        return v;
    }

    static String[] run(String bootstrap, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        FleetCtl ctl = new FleetCtl(new BufferedReader(new StringReader("")), new PrintWriter(out), new PrintWriter(err),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "USER", "oncall"));
        int rc = FleetCtl.run(ctl, args);
        return new String[] {String.valueOf(rc), out.toString(), err.toString()};
    }

    @Test
    void replayAfterTheCauseIsFixedCompletesOnceAndASecondReplayIsRefused() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.temporary().start();
             EmbeddedS3 s3 = EmbeddedS3.inMemory("test-access", "test-secret-" + System.nanoTime()).start()) {
            kafka.createFleetTopics(1);
            s3.createBucket("imagine");
            S3Settings s3Settings = s3.settings("imagine");
            String bootstrap = kafka.bootstrapServers();
            Properties props = OpsConfig.kafkaProperties(Map.of(), bootstrap);
            TopicScanner scanner = new TopicScanner(props, Duration.ofSeconds(30));

            Job job = Job.txt2img(Job.newId(), "tiny-sd", "a red cube on a blue sphere", 64, 64, 2,
                    new Requester("1200000000000000001", "1300000000000000001", "4242", null)).withSeed(5L);

            // 1. misdeployed: the worker serves the model under another name, so the job fails permanently
            Worker wrong = Worker.start(config("worker-wrong", bootstrap, s3Settings, "tiny-sd-old"),
                    EngineFactory.create(config("worker-wrong", bootstrap, s3Settings, "tiny-sd-old")), FleetObserver.NONE);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(bootstrap, "bot-like"))) {
                producer.send(new ProducerRecord<>(Topics.JOBS, job.id(), JobCodec.encode(job))).get();
            }
            DlqRecord failed = awaitDlq(new DlqReader(scanner), job.id(), Duration.ofSeconds(90)).orElseThrow(
                    () -> new AssertionError("job never reached the DLQ"));
            wrong.drain(Duration.ofSeconds(5));
            assertThat(failed.errorClass()).isEqualTo(FailureCode.UNKNOWN_MODEL);

            String[] listed = run(bootstrap, "dlq", "list", "--error", "unknown_model");
            assertThat(listed[1]).contains(job.id()).contains("1 failed job(s)");

            // 2. fixed: a worker that serves "tiny-sd"; the operator replays
            try (Worker right = Worker.start(config("worker-right", bootstrap, s3Settings, null),
                    EngineFactory.create(config("worker-right", bootstrap, s3Settings, null)), FleetObserver.NONE)) {
                String[] replay = run(bootstrap, "replay", job.id(), "--yes", "--json");
                assertThat(replay[0]).as(replay[2]).isEqualTo("0");
                JsonNode sent = FleetCtl.JSON.readTree(replay[1]).path("sent");
                assertThat(sent).hasSize(1);
                String newId = sent.get(0).path("jobId").asText();

                JobTimeline.View v = awaitState(new JobTimeline(scanner), newId, "completed", Duration.ofSeconds(120));
                assertThat(v.state()).isEqualTo("completed");
                assertThat(v.job().path("replayOf").asText()).isEqualTo(job.id());
                assertThat(v.job().path("requester").path("channelId").asText()).isEqualTo("1300000000000000001");
                JsonNode done = v.events().get(v.events().size() - 1).event();
                assertThat(done.path("workerId").asText()).isEqualTo("worker-right");
                try (BlobStore blobs = new BlobStore(s3Settings)) {
                    byte[] png = blobs.get(done.path("resultKeys").get(0).asText());
                    assertThat(ImageIO.read(new ByteArrayInputStream(png)).getWidth()).isEqualTo(64);
                }
                long completions = v.events().stream().filter(e -> e.type().equals("completed")).count();
                assertThat(completions).isEqualTo(1);

                String[] again = run(bootstrap, "replay", job.id(), "--yes");
                assertThat(again[0]).isEqualTo("1");
                assertThat(again[1]).contains("already replayed as " + newId);

                String[] timeline = run(bootstrap, "job", newId);
                assertThat(timeline[1]).contains("state completed").contains("replay of " + job.id()).contains("[worker-right]");

                // the operator's link to the result: a presigned GET with the apps' S3 settings
                StringWriter out = new StringWriter();
                FleetCtl ctl = new FleetCtl(new BufferedReader(new StringReader("")), new PrintWriter(out), new PrintWriter(new StringWriter()),
                        Map.of("KAFKA_BOOTSTRAP_SERVERS", bootstrap, "S3_ENDPOINT", s3.endpoint().toString(), "S3_BUCKET", "imagine",
                                "S3_ACCESS_KEY", s3.accessKey(), "S3_SECRET_KEY", s3.secretKey()));
                assertThat(FleetCtl.run(ctl, "job", newId, "--urls")).isZero();
                String url = out.toString().lines().filter(l -> l.contains("http")).findFirst().orElseThrow().trim().split("\\s+")[1];
                var http = java.net.http.HttpClient.newHttpClient();
                var resp = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertThat(resp.statusCode()).isEqualTo(200);
                assertThat(ImageIO.read(new ByteArrayInputStream(resp.body())).getHeight()).isEqualTo(64);
            }
        }
    }
}
