package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobEventType;
import io.imaginefleet.common.job.JobKind;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.storage.BlobStore;
import io.imaginefleet.engine.pipeline.PngWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet path in one JVM against a real broker and a real S3 server, with the real engine on the tiny model:
 * job → PNG in S3 + completed event; every class of bad job → failed event + DLQ with headers, and the worker goes on.
 */
class FleetPathTest {
    static final Duration WAIT = Duration.ofSeconds(180);
    static FleetServers servers;
    static KafkaWatcher watcher;
    static KafkaProducer<String, byte[]> producer;
    static Worker worker;
    static BlobStore blobs;

    @BeforeAll
    static void start() {
        servers = FleetServers.get();
        watcher = new KafkaWatcher(servers.bootstrap());
        producer = new KafkaProducer<>(KafkaSettings.producer(servers.bootstrap(), "fleet-path-test"));
        blobs = servers.blobs();
        WorkerConfig cfg = servers.workerConfig("inproc-1", TestModels.tinySd());
        worker = Worker.start(cfg, TestModels.engine(cfg), FleetObserver.NONE);
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.drain(Duration.ofSeconds(10));
        }
        producer.close();
        blobs.close();
        watcher.close();
    }

    static Job job(String prompt) {
        return Job.txt2img(Job.newId(), TestModels.MODEL, prompt, 64, 64, 2, new Requester("g1", "c1", "u1", "m1")).withSeed(7L);
    }

    static void send(String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(Topics.JOBS, key, value)).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void send(Job j) {
        send(j.id(), JobCodec.encode(j));
    }

    @Test
    void jobYieldsPngInS3AndCompletedEventWhoseKeysResolve() throws Exception {
        Job j = job("a red cube on a blue sphere").withCount(2);
        long sent = System.currentTimeMillis();
        send(j);
        JobEvent done = watcher.await(j.id(), JobEventType.COMPLETED, WAIT);
        long received = System.currentTimeMillis();

        assertThat(done.workerId()).isEqualTo("inproc-1");
        assertThat(done.seed()).isEqualTo(7L);
        assertThat(done.resultKeys()).containsExactly(Job.resultKey(j.id(), 0), Job.resultKey(j.id(), 1));
        for (int i = 0; i < done.resultKeys().size(); i++) {
            byte[] png = blobs.get(done.resultKeys().get(i));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(img.getWidth()).isEqualTo(64);
            assertThat(img.getHeight()).isEqualTo(64);
            assertThat(PngWriter.readParameters(png)).contains("a red cube on a blue sphere").contains("Seed: " + (7 + i));
        }
        List<JobEventType> types = watcher.events(j.id()).stream().map(JobEvent::type).toList();
        assertThat(types).startsWith(JobEventType.ACCEPTED).endsWith(JobEventType.COMPLETED).contains(JobEventType.PROGRESS);
        assertThat(done.timings()).containsKeys("queue", "engine", "upload", "total");

        // steady-state overhead of the fleet path: a few sequential jobs after the first (which pays the group join)
        List<long[]> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Job k = job("overhead " + i).withSteps(1).withGuidance(1.0);
            long t0 = System.currentTimeMillis();
            send(k);
            JobEvent e = watcher.await(k.id(), JobEventType.COMPLETED, WAIT);
            long seen = System.currentTimeMillis() - t0;
            Map<String, Long> t = e.timings();
            runs.add(new long[] {seen, t.get("queue"), t.get("engine"), t.get("encode"), t.get("upload"), t.get("total"), seen - t.get("engine")});
        }
        runs.sort(java.util.Comparator.comparingLong(r -> r[0]));
        long[] m = runs.get(runs.size() / 2);
        System.out.printf("FLEET-OVERHEAD (median of 3, 64x64 1 step, no CFG) produce→completed seen %d ms: queue→pick-up %d ms, engine %d ms, "
                + "png %d ms, upload %d ms, worker total %d ms, fleet overhead (all but engine) %d ms%n", m[0], m[1], m[2], m[3], m[4], m[5], m[6]);
    }

    @Test
    void everyInvalidJobClassFailsClearlyLandsInDlqAndTheWorkerGoesOn() {
        Job base = job("valid");
        String okJson = new String(JobCodec.encode(base), StandardCharsets.UTF_8);
        Map<String, String[]> cases = new LinkedHashMap<>(); // key -> {value, code, message fragment}
        cases.put(Job.newId(), new String[] {"this is not json", FailureCode.MALFORMED, "record: not valid JSON at line 1"});
        cases.put(Job.newId(), new String[] {"{\"schema\":2,\"id\":\"x\"}", FailureCode.MALFORMED, "schema: unsupported version 2"});
        String k3 = Job.newId();
        cases.put(k3, new String[] {okJson.replace(base.id(), k3).replace("\"width\":64,", ""), FailureCode.MALFORMED, "width: missing required field"});
        String k4 = Job.newId();
        cases.put(k4, new String[] {okJson.replace(base.id(), k4).replace("\"steps\":2", "\"steps\":\"two\""), FailureCode.MALFORMED, "steps: wrong type"});
        String k5 = Job.newId();
        cases.put(k5, new String[] {okJson.replace(base.id(), k5).replace("\"valid\"", "\"" + "x".repeat(200_000) + "\""),
                FailureCode.MALFORMED, "larger than the limit"});
        String k6 = Job.newId();
        cases.put(k6, new String[] {okJson.replace(base.id(), k6).replace("\"kind\":\"txt2img\"", "\"kind\":\"txt2video\""),
                FailureCode.MALFORMED, "kind: unknown kind 'txt2video'"});
        Job tooBig = base.withSize(64, 4096);
        cases.put(tooBig.id(), new String[] {json(tooBig.withSteps(0)), FailureCode.INVALID, "steps: must be between 1 and 150"});
        Job badSched = job("x").withScheduler("k_lms");
        cases.put(badSched.id(), new String[] {json(badSched), FailureCode.INVALID, "scheduler: must be one of"});
        Job unknown = job("x").withModel("sdxl-turbo");
        cases.put(unknown.id(), new String[] {json(unknown), FailureCode.UNKNOWN_MODEL, "model: unknown model 'sdxl-turbo'"});
        Job noInput = job("x").withInputs(JobKind.IMG2IMG, "inputs/missing.png", null, 0.5, null);
        cases.put(noInput.id(), new String[] {json(noInput), FailureCode.BAD_INPUT, "inputImage"});
        blobs.put("inputs/not-an-image.png", "GIF89a but not really".getBytes(StandardCharsets.UTF_8), "image/png");
        Job notImage = job("x").withInputs(JobKind.IMG2IMG, "inputs/not-an-image.png", null, 0.5, null);
        cases.put(notImage.id(), new String[] {json(notImage), FailureCode.BAD_INPUT, "inputImage"});

        cases.forEach((key, c) -> send(key, c[0].getBytes(StandardCharsets.UTF_8)));
        Job after = job("the worker still serves jobs").withSteps(1).withGuidance(1.0);
        send(after);

        List<String> problems = new ArrayList<>();
        cases.forEach((key, c) -> {
            JobEvent failed = watcher.await(key, JobEventType.FAILED, WAIT);
            if (!c[1].equals(failed.code()) || !failed.message().contains(c[2]) || Boolean.TRUE.equals(failed.retryable())) {
                problems.add(key + ": expected " + c[1] + " / '" + c[2] + "' but got " + failed.code() + " / '" + failed.message() + "'");
            }
            ConsumerRecord<String, byte[]> dead = watcher.awaitDlq(key, WAIT);
            Map<String, String> h = watcher.headers(dead);
            assertThat(h).containsEntry(Topics.H_ERROR_CLASS, c[1]).containsEntry(Topics.H_WORKER, "inproc-1")
                    .containsEntry(Topics.H_ATTEMPTS, "1").containsKeys(Topics.H_ERROR_MESSAGE, Topics.H_FAILED_AT, Topics.H_ORIGIN);
            assertThat(h.get(Topics.H_ERROR_MESSAGE)).isEqualTo(failed.message());
            assertThat(dead.value()).isEqualTo(c[0].getBytes(StandardCharsets.UTF_8));
        });
        assertThat(problems).isEmpty();
        JobEvent done = watcher.await(after.id(), JobEventType.COMPLETED, WAIT);
        assertThat(done.resultKeys()).hasSize(1);
        for (String key : cases.keySet()) {
            assertThat(watcher.dlq(key)).hasSize(1);
        }
    }

    static String json(Job j) {
        return new String(JobCodec.encode(j), StandardCharsets.UTF_8);
    }

    static Path tiny() {
        return TestModels.tinySd();
    }
}
