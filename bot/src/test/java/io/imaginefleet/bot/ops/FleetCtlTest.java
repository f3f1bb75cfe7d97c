package io.imaginefleet.bot.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.imaginefleet.common.embedded.EmbeddedKafka;
import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;

/**
 * fleetctl against a real in-process Kafka broker: the DLQ holds failed jobs of several classes written the way
 * the worker writes them (job value + error headers); listing, filtering, showing, dry run, confirmation,
 * replay, refusal of a second replay, job timeline and queue state are checked on what Kafka then holds.
 */
class FleetCtlTest {

    static EmbeddedKafka kafka;
    static KafkaProducer<String, byte[]> producer;
    static final Instant T0 = Instant.parse("2026-11-29T08:00:00Z");

    static String invalidId, unknownModelId, badInputId, limitId, malformedId, otherUserId, stillInvalidId;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.temporary().start();
        kafka.createFleetTopics(2);
        producer = new KafkaProducer<>(KafkaSettings.producer(kafka.bootstrapServers(), "fleetctl-test"));
        invalidId = dlq(job("alice", "tiny-sd"), FailureCode.INVALID, "steps: must be between 1 and 150 (was 500)", 1, T0);
        unknownModelId = dlq(job("alice", "sd-xl"), FailureCode.UNKNOWN_MODEL, "model sd-xl is not served", 1, T0.plusSeconds(3600));
        badInputId = dlq(job("bob", "tiny-sd"), FailureCode.BAD_INPUT, "inputs/x.png: not an image", 1, T0.plusSeconds(7200));
        limitId = dlq(job("bob", "tiny-sd"), FailureCode.DELIVERY_LIMIT, "gave up after 5 deliveries", 5, T0.plusSeconds(3 * 3600));
        otherUserId = dlq(job("carol", "sd-xl"), FailureCode.UNKNOWN_MODEL, "model sd-xl is not served", 1, T0.plusSeconds(4 * 3600));
        malformedId = UUID.randomUUID().toString();
        ProducerRecord<String, byte[]> bad = new ProducerRecord<>(Topics.DLQ, malformedId, "{not json".getBytes(StandardCharsets.UTF_8));
        bad.headers().add(Topics.H_ERROR_CLASS, FailureCode.MALFORMED.getBytes(StandardCharsets.UTF_8));
        bad.headers().add(Topics.H_FAILED_AT, T0.plusSeconds(5 * 3600).toString().getBytes(StandardCharsets.UTF_8));
        producer.send(bad).get();
        stillInvalidId = dlq(job("zed", "tiny-sd").withSteps(500), FailureCode.INVALID, "steps: must be between 1 and 150 (was 500)", 1,
                T0.plusSeconds(6 * 3600));
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static Job job(String user, String model) {
        return Job.txt2img(Job.newId(), model, "a red cube", 64, 64, 2, new Requester("g1", "chan-" + user, user, null)).withSeed(7L);
    }

    /** Writes {@code j} to the DLQ as the worker does (value = job JSON, error headers). */
    static String dlq(Job j, String errorClass, String message, int attempts, Instant at) throws Exception {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.DLQ, j.id(), JobCodec.encode(j));
        r.headers().add(Topics.H_ERROR_CLASS, errorClass.getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.H_ERROR_MESSAGE, message.getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.H_ATTEMPTS, String.valueOf(attempts).getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.H_WORKER, "worker-1".getBytes(StandardCharsets.UTF_8));
        r.headers().add(Topics.H_FAILED_AT, at.toString().getBytes(StandardCharsets.UTF_8));
        producer.send(r).get();
        return j.id();
    }

    record Run(int rc, String out, String err) {
    }

    static Run fleetctl(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("USER", "tester");
        FleetCtl ctl = new FleetCtl(new BufferedReader(new StringReader(stdin)), new PrintWriter(out), new PrintWriter(err), env);
        int rc = FleetCtl.run(ctl, args);
        return new Run(rc, out.toString(), err.toString());
    }

    static List<ConsumerRecord<String, byte[]>> jobsOnQueue() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        new TopicScanner(p, Duration.ofSeconds(30)).scan(Topics.JOBS, out::add);
        return out;
    }

    static List<String> ids(JsonNode arr) {
        List<String> ids = new ArrayList<>();
        arr.forEach(n -> ids.add(n.path("jobId").asText()));
        return ids;
    }

    @Test
    void listsEveryFailedJobWithItsErrorClass() throws Exception {
        Run r = fleetctl("", "dlq", "list", "--json");
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode arr = FleetCtl.JSON.readTree(r.out());
        assertThat(ids(arr)).containsExactly(invalidId, unknownModelId, badInputId, limitId, otherUserId, malformedId, stillInvalidId);
        JsonNode limit = arr.get(3);
        assertThat(limit.path("errorClass").asText()).isEqualTo(FailureCode.DELIVERY_LIMIT);
        assertThat(limit.path("attempts").asInt()).isEqualTo(5);
        assertThat(limit.path("user").asText()).isEqualTo("bob");
        assertThat(limit.path("kind").asText()).isEqualTo("txt2img");

        Run table = fleetctl("", "dlq", "list");
        assertThat(table.out()).contains(invalidId).contains("invalid_job").contains("steps: must be between 1 and 150")
                .contains("7 failed job(s)");
    }

    @Test
    void filtersByUserErrorModelAndTime() throws Exception {
        assertThat(ids(FleetCtl.JSON.readTree(fleetctl("", "dlq", "list", "--json", "--user", "bob").out())))
                .containsExactly(badInputId, limitId);
        assertThat(ids(FleetCtl.JSON.readTree(fleetctl("", "dlq", "list", "--json", "--error", "UNKNOWN_MODEL").out())))
                .containsExactly(unknownModelId, otherUserId);
        assertThat(ids(FleetCtl.JSON.readTree(fleetctl("", "dlq", "list", "--json", "--model", "sd-xl", "--user", "alice").out())))
                .containsExactly(unknownModelId);
        assertThat(ids(FleetCtl.JSON.readTree(fleetctl("", "dlq", "list", "--json",
                "--since", "2026-11-29T09:00:00Z", "--until", "2026-11-29T11:00").out())))
                .containsExactly(unknownModelId, badInputId);
        assertThat(ids(FleetCtl.JSON.readTree(fleetctl("", "dlq", "list", "--json", "--since", "1h").out()))).isEmpty();
        Run bad = fleetctl("", "dlq", "list", "--since", "yesterday-ish");
        assertThat(bad.rc()).isEqualTo(1);
        assertThat(bad.err()).contains("'yesterday-ish' is not a time");
    }

    @Test
    void showPrintsTheJobAndItsHeaders() throws Exception {
        Run r = fleetctl("", "dlq", "show", badInputId);
        assertThat(r.rc()).as(r.err()).isZero();
        JsonNode o = FleetCtl.JSON.readTree(r.out());
        assertThat(o.path("job").path("id").asText()).isEqualTo(badInputId);
        assertThat(o.path("headers").path(Topics.H_ERROR_MESSAGE).asText()).isEqualTo("inputs/x.png: not an image");
        assertThat(o.path("headers").path(Topics.H_WORKER).asText()).isEqualTo("worker-1");

        Run malformed = fleetctl("", "dlq", "show", malformedId);
        assertThat(FleetCtl.JSON.readTree(malformed.out()).path("value").asText()).isEqualTo("{not json");
        Run missing = fleetctl("", "dlq", "show", "no-such-job");
        assertThat(missing.rc()).isEqualTo(1);
        assertThat(missing.err()).contains("no-such-job is not in the DLQ");
    }

    @Test
    void dryRunAndDeclinedConfirmationSendNothing() {
        int before = jobsOnQueue().size();
        Run dry = fleetctl("", "replay", "--error", FailureCode.UNKNOWN_MODEL, "--dry-run");
        assertThat(dry.rc()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("send     " + unknownModelId).contains("send     " + otherUserId)
                .contains("dry run: nothing sent");
        Run declined = fleetctl("n\n", "replay", "--error", FailureCode.UNKNOWN_MODEL);
        assertThat(declined.rc()).isEqualTo(1);
        assertThat(declined.out()).contains("Send 2 job(s) to imagine.jobs? [y/N]").contains("not sent");
        Run noInput = fleetctl("", "replay", unknownModelId);
        assertThat(noInput.out()).contains("not sent");
        Run nothing = fleetctl("", "replay");
        assertThat(nothing.rc()).isEqualTo(2);
        assertThat(nothing.err()).contains("name the jobs to replay");
        assertThat(jobsOnQueue()).hasSize(before);
    }

    @Test
    void replaySendsANewJobOnceAndRefusesTheSecond() throws Exception {
        Run first = fleetctl("", "replay", invalidId, "--yes", "--json");
        assertThat(first.rc()).as(first.err()).isZero();
        JsonNode sent = FleetCtl.JSON.readTree(first.out()).path("sent");
        assertThat(sent).hasSize(1);
        String newId = sent.get(0).path("jobId").asText();
        assertThat(newId).isNotEqualTo(invalidId);

        List<ConsumerRecord<String, byte[]>> queued = jobsOnQueue().stream().filter(r -> newId.equals(r.key())).toList();
        assertThat(queued).hasSize(1);
        Job replayed = JobCodec.decodeJob(queued.get(0).value());
        assertThat(replayed.id()).isEqualTo(newId);
        assertThat(replayed.replayOf()).isEqualTo(invalidId);
        assertThat(replayed.requester().channelId()).isEqualTo("chan-alice");
        assertThat(replayed.prompt()).isEqualTo("a red cube");
        assertThat(replayed.seed()).isEqualTo(7L);
        assertThat(replayed.createdAt()).isAfter(Instant.now().minusSeconds(60));
        assertThat(Topics.header(queued.get(0).headers(), Replayer.H_REPLAYED_BY)).isEqualTo("fleetctl:tester");

        int before = jobsOnQueue().size();
        Run second = fleetctl("y\n", "replay", invalidId);
        assertThat(second.rc()).isEqualTo(1);
        assertThat(second.out()).contains("refused  " + invalidId + "  already replayed as " + newId).contains("nothing to send");
        assertThat(jobsOnQueue()).hasSize(before);

        Run forced = fleetctl("", "replay", invalidId, "--yes", "--force");
        assertThat(forced.rc()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("forced: replayed before as " + newId).contains("sent 1 job(s)");
        assertThat(jobsOnQueue()).hasSize(before + 1);
    }

    @Test
    void theDryRunWarnsWhenAJobStillBreaksTheRules() {
        Run r = fleetctl("", "replay", stillInvalidId, "--dry-run");
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).contains("send     " + stillInvalidId)
                .contains("warning: still breaks the job rules, it will fail again: steps: must be between 1 and 150");
        Run ok = fleetctl("", "replay", badInputId, "--dry-run");
        assertThat(ok.out()).doesNotContain("warning");
    }

    @Test
    void malformedRecordsAreNeverReplayed() {
        Run r = fleetctl("", "replay", malformedId, "--yes");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.out()).contains("refused  " + malformedId + "  the DLQ record is not a JSON job");
    }

    @Test
    void replayIsRateLimited() {
        long t = System.nanoTime();
        Run r = fleetctl("", "replay", "--user", "bob", "--yes", "--rate", "2");
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).contains("sent 2 job(s)");
        assertThat(Duration.ofNanos(System.nanoTime() - t)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }

    @Test
    void jobShowsTheTimelineFromEvents() throws Exception {
        Job j = job("dave", "tiny-sd");
        producer.send(new ProducerRecord<>(Topics.JOBS, j.id(), JobCodec.encode(j))).get();
        for (JobEvent e : List.of(JobEvent.accepted(j.id(), "worker-7", 1), JobEvent.progress(j.id(), "worker-7", 1, 2, null),
                JobEvent.progress(j.id(), "worker-7", 2, 2, null),
                JobEvent.completed(j.id(), "worker-7", List.of(Job.resultKey(j.id(), 0)), 7L, Map.of("denoise", 120L, "total", 300L),
                        List.of("a red cube"), 1))) {
            producer.send(new ProducerRecord<>(Topics.EVENTS, j.id(), JobCodec.encode(e))).get();
            Thread.sleep(2);
        }
        Run r = fleetctl("", "job", j.id());
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.out()).contains("state completed").contains("accepted  [worker-7]").contains("step 2/2")
                .contains("results results/" + j.id() + "/0.png seed 7").contains("denoise=120").contains("user dave");
        Run json = fleetctl("", "job", j.id(), "--json");
        assertThat(FleetCtl.JSON.readTree(json.out()).path("events")).hasSize(4);

        Run failedJob = fleetctl("", "job", limitId);
        assertThat(failedJob.out()).contains("dlq").contains(FailureCode.DELIVERY_LIMIT).contains("fleetctl replay " + limitId);
        Run missing = fleetctl("", "job", "nope");
        assertThat(missing.rc()).isEqualTo(1);
    }

    @Test
    void queueShowsDepthAndTheConsumingWorkers() throws Exception {
        QueueInspector.Status before = new QueueInspector(OpsConfig.kafkaProperties(Map.of(), kafka.bootstrapServers())).inspect();
        Job waiting = job("erin", "tiny-sd");
        producer.send(new ProducerRecord<>(Topics.JOBS, waiting.id(), JobCodec.encode(waiting))).get();
        QueueInspector.Status after = new QueueInspector(OpsConfig.kafkaProperties(Map.of(), kafka.bootstrapServers())).inspect();
        assertThat(after.depth()).isEqualTo(before.depth() + 1);
        Properties p = new Properties();
        p.putAll(KafkaSettings.shareConsumer(kafka.bootstrapServers(), Topics.WORKER_SHARE_GROUP, "queue-test-worker"));
        try (KafkaShareConsumer<String, byte[]> worker = new KafkaShareConsumer<>(p)) {
            worker.subscribe(List.of(Topics.JOBS));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            QueueInspector.Status s;
            do {
                worker.poll(Duration.ofMillis(300)); // joins the group; in-flight records stay unacknowledged
                s = new QueueInspector(OpsConfig.kafkaProperties(Map.of(), kafka.bootstrapServers())).inspect();
            } while (s.members().isEmpty() && System.nanoTime() < deadline);
            assertThat(s.members()).extracting(QueueInspector.Member::clientId).contains("queue-test-worker");
            assertThat(s.partitions()).hasSize(2);
            assertThat(s.depth()).isEqualTo(s.partitions().stream().mapToLong(QueueInspector.PartitionDepth::lag).sum());
            Run r = fleetctl("", "queue");
            assertThat(r.rc()).as(r.err()).isZero();
            assertThat(r.out()).contains("share group imagine-workers").contains("worker queue-test-worker");
        }
    }
}
