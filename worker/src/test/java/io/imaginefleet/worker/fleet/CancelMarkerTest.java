package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobEventType;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.storage.BlobStore;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ❌ in Discord writes the job's cancel marker to S3: a worker stops a running job within a few seconds and skips a
 * queued one, reports it as cancelled (not retryable, not dead-lettered) and goes on with the next job.
 */
class CancelMarkerTest {
    @Test
    void aCancelledJobStopsRunningAndIsNeitherRetriedNorDeadLettered() throws Exception {
        FleetServers servers = FleetServers.get();
        Requester who = new Requester("g", "c", "u", "m");
        try (KafkaWatcher watcher = new KafkaWatcher(servers.bootstrap());
             BlobStore blobs = servers.blobs();
             var producer = new KafkaProducer<String, byte[]>(KafkaSettings.producer(servers.bootstrap(), "cancel-test"))) {
            WorkerConfig config = servers.workerConfig("cancel-1", TestModels.tinySd());
            Worker worker = Worker.start(config, TestModels.engine(config), FleetObserver.NONE);
            try {
                Job running = Job.txt2img(Job.newId(), TestModels.MODEL, "cancelled while it runs", 128, 128, 150, who);
                Job queued = Job.txt2img(Job.newId(), TestModels.MODEL, "cancelled before it runs", 64, 64, 150, who);
                Job next = Job.txt2img(Job.newId(), TestModels.MODEL, "the next user's job", 64, 64, 4, who);
                blobs.put(Job.cancelMarkerKey(queued.id()), new byte[0], "text/plain");
                for (Job j : new Job[] {running, queued, next}) {
                    producer.send(new ProducerRecord<>(Topics.JOBS, j.id(), JobCodec.encode(j))).get();
                }
                watcher.await(running.id(), JobEventType.PROGRESS, Duration.ofSeconds(120));
                long t0 = System.nanoTime();
                blobs.put(Job.cancelMarkerKey(running.id()), new byte[0], "text/plain");
                JobEvent stopped = watcher.await(running.id(), JobEventType.FAILED, Duration.ofSeconds(60));
                Duration reaction = Duration.ofNanos(System.nanoTime() - t0);
                System.out.printf("running job stopped %d ms after its cancel marker%n", reaction.toMillis());

                JobEvent skipped = watcher.await(queued.id(), JobEventType.FAILED, Duration.ofSeconds(60));
                watcher.await(next.id(), JobEventType.COMPLETED, Duration.ofSeconds(120));
                for (JobEvent e : new JobEvent[] {stopped, skipped}) {
                    assertThat(e.code()).isEqualTo(FailureCode.CANCELLED);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.message()).isEqualTo("cancelled by the requester");
                }
                assertThat(watcher.events(running.id())).noneMatch(e -> e.type() == JobEventType.COMPLETED);
                assertThat(watcher.events(queued.id())).noneMatch(e -> e.type() == JobEventType.PROGRESS || e.type() == JobEventType.COMPLETED);
                assertThat(watcher.dlq(running.id())).isEmpty();
                assertThat(watcher.dlq(queued.id())).isEmpty();
                assertThat(blobs.exists(Job.resultKey(running.id(), 0))).isFalse();
                // accepted, not released: nobody runs it again
                KafkaWatcher.sleep(FleetServers.LOCK_MS + 2000);
                assertThat(watcher.events(running.id())).filteredOn(e -> e.type() == JobEventType.ACCEPTED).hasSize(1);
            } finally {
                worker.drain(Duration.ofSeconds(5));
            }
        }
    }
}
