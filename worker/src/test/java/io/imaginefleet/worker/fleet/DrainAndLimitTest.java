package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobEventType;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drain with no grace left releases the job in hand (nothing lost); a delivery past the worker's attempt limit goes
 * to the DLQ as a permanent failure without running.
 */
class DrainAndLimitTest {
    @Test
    void drainReleasesTheJobInHandAndAJobPastTheDeliveryLimitGoesToTheDlq() throws Exception {
        FleetServers servers = FleetServers.get();
        try (KafkaWatcher watcher = new KafkaWatcher(servers.bootstrap());
             var producer = new KafkaProducer<String, byte[]>(KafkaSettings.producer(servers.bootstrap(), "drain-test"))) {
            WorkerConfig c1 = servers.workerConfig("drain-1", TestModels.tinySd());
            Worker first = Worker.start(c1, TestModels.engine(c1), FleetObserver.NONE);
            Job job = Job.txt2img(Job.newId(), TestModels.MODEL, "released on drain", 64, 64, 20, new Requester("g", "c", "u", "m"));
            producer.send(new ProducerRecord<>(Topics.JOBS, job.id(), JobCodec.encode(job))).get();
            watcher.await(job.id(), JobEventType.PROGRESS, Duration.ofSeconds(180));
            long t0 = System.nanoTime();
            first.drain(Duration.ZERO);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(60));
            assertThat(watcher.events(job.id())).noneMatch(e -> e.type() == JobEventType.COMPLETED || e.type() == JobEventType.FAILED);

            WorkerConfig base = servers.workerConfig("limit-1", TestModels.tinySd());
            WorkerConfig c2 = new WorkerConfig(base.workerId(), base.kafkaBootstrap(), base.s3(), base.modelDir(), null, null,
                    base.modelCache(), "cpu", 1, 1, Duration.ofSeconds(5), base.maxInputPixels());
            Worker second = Worker.start(c2, TestModels.engine(c2), FleetObserver.NONE);
            try {
                JobEvent failed = watcher.await(job.id(), JobEventType.FAILED, Duration.ofSeconds(60));
                assertThat(failed.code()).isEqualTo(FailureCode.DELIVERY_LIMIT);
                assertThat(failed.workerId()).isEqualTo("limit-1");
                // 2 unless a lock also expired on the way (renewals are late on a heavily loaded machine)
                assertThat(failed.attempt()).isGreaterThanOrEqualTo(2);
                assertThat(failed.message()).contains("gave up after " + (failed.attempt() - 1) + " deliveries");
                Map<String, String> h = watcher.headers(watcher.awaitDlq(job.id(), Duration.ofSeconds(10)));
                assertThat(h).containsEntry(Topics.H_ERROR_CLASS, FailureCode.DELIVERY_LIMIT).containsEntry(Topics.H_ATTEMPTS, String.valueOf(failed.attempt()));
                assertThat(watcher.events(job.id())).noneMatch(e -> e.type() == JobEventType.COMPLETED);
            } finally {
                second.drain(Duration.ofSeconds(5));
            }
        }
    }
}
