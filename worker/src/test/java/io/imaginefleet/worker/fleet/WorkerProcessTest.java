package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobEventType;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Workers as separate JVMs: one is SIGKILLed in the middle of a job and the other completes it, no job of 50 is
 * lost; SIGTERM drains (the job in hand completes, exit code 0); no secret in any Kafka record or worker log line.
 */
class WorkerProcessTest {
    static final Pattern INTERACTION_TOKEN = Pattern.compile("aW50ZXJhY3Rpb246[A-Za-z0-9_-]{20,}");
    static final Class<?> MAIN = WorkerMain.class;

    static Path logs;
    static FleetServers servers;
    static KafkaWatcher watcher;
    static KafkaProducer<String, byte[]> producer;
    static final List<WorkerProcess> workers = new ArrayList<>();

    @BeforeAll
    static void start() {
        logs = Path.of("target", "worker-logs");
        try {
            java.nio.file.Files.createDirectories(logs);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        servers = FleetServers.get();
        watcher = new KafkaWatcher(servers.bootstrap());
        producer = new KafkaProducer<>(KafkaSettings.producer(servers.bootstrap(), "process-test"));
    }

    @AfterAll
    static void stop() {
        workers.forEach(WorkerProcess::close);
        producer.close();
        watcher.close();
    }

    static WorkerProcess worker(String id) {
        Map<String, String> env = servers.workerEnv(id);
        env.put("WORKER_MODEL_DIR", TestModels.tinySd().toString());
        env.put("WORKER_PROGRESS_EVERY", "1");
        env.put("WORKER_DRAIN_GRACE", "300s");
        WorkerProcess w = WorkerProcess.start(id, env, logs, MAIN);
        workers.add(w);
        return w;
    }

    /** Cheapest real generation: 64×64, no classifier-free guidance (one UNet pass per step). */
    static Job job(String prompt, int steps) {
        return Job.txt2img(Job.newId(), TestModels.MODEL, prompt, 64, 64, steps, new Requester("g", "c", "u", "m"))
                .withSeed(1L).withGuidance(1.0);
    }

    static void send(Job j) {
        try {
            producer.send(new ProducerRecord<>(Topics.JOBS, j.id(), JobCodec.encode(j))).get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void killedWorkersJobIsCompletedByAnotherNoneLostAndSigtermDrains() {
        WorkerProcess a = worker("proc-a");
        WorkerProcess b = worker("proc-b");
        a.awaitOutput("ready", Duration.ofSeconds(180));
        b.awaitOutput("ready", Duration.ofSeconds(180));

        Job longJob = job("the long one", 10);
        send(longJob);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 49; i++) {
            Job j = job("job " + i, 1);
            jobs.add(j);
            send(j);
        }
        jobs.add(longJob);
        JobEvent firstProgress = watcher.await(longJob.id(), JobEventType.PROGRESS, Duration.ofSeconds(300));
        WorkerProcess victim = firstProgress.workerId().equals("proc-a") ? a : b;
        WorkerProcess survivor = victim == a ? b : a;
        victim.kill();
        long killedAt = System.currentTimeMillis();
        assertThat(watcher.events(longJob.id())).noneMatch(e -> e.type() == JobEventType.COMPLETED);

        for (Job j : jobs) {
            watcher.await(j.id(), JobEventType.COMPLETED, Duration.ofSeconds(600));
        }
        JobEvent done = watcher.await(longJob.id(), JobEventType.COMPLETED, Duration.ofSeconds(1));
        assertThat(done.workerId()).isEqualTo(survivor.id);
        assertThat(done.attempt()).isGreaterThanOrEqualTo(2);
        System.out.printf("FLEET-KILL long job completed by %s %d ms after the SIGKILL (lock %d ms)%n", done.workerId(),
                done.at().toEpochMilli() - killedAt, FleetServers.LOCK_MS);
        Set<String> completed = watcher.allEvents().stream().filter(e -> e.type() == JobEventType.COMPLETED)
                .map(JobEvent::jobId).collect(Collectors.toSet());
        assertThat(jobs).allMatch(j -> completed.contains(j.id()));
        assertThat(jobs).allMatch(j -> watcher.dlq(j.id()).isEmpty());

        // SIGTERM while a job is in hand: it completes, then the JVM exits 0
        Job inHand = job("drain me", 10);
        send(inHand);
        watcher.await(inHand.id(), JobEventType.PROGRESS, Duration.ofSeconds(300));
        survivor.terminate();
        Integer code = survivor.waitFor(Duration.ofSeconds(300));
        assertThat(code).as("exit code after SIGTERM").isEqualTo(0);
        JobEvent drained = watcher.await(inHand.id(), JobEventType.COMPLETED, Duration.ofSeconds(5));
        assertThat(drained.workerId()).isEqualTo(survivor.id);
        assertThat(survivor.output()).contains("draining").contains("stopped");

        // secrets: nothing in any record the fleet produced or any line the workers logged
        List<String> texts = new ArrayList<>(watcher.allRecordTexts());
        texts.add(a.output());
        texts.add(b.output());
        assertThat(texts).noneMatch(t -> t.contains(FleetServers.SECRET_KEY))
                .noneMatch(t -> INTERACTION_TOKEN.matcher(t).find());
    }
}
