package io.imaginefleet.worker.app;

import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobEventType;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged worker app: typed config, model loaded at start, readiness only when loaded and Kafka reachable,
 * a job served end to end, Prometheus metrics (jobs by outcome, phase timings, queue depth).
 */
@QuarkusTest
@QuarkusTestResource(value = FleetTestResource.class, restrictToAnnotatedClass = true)
class WorkerAppTest {
    @Inject
    WorkerSettings settings;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void becomesReadyServesAJobAndExportsMetrics() throws Exception {
        assertThat(settings.toWorkerConfig().workerId()).isEqualTo("app-worker");
        assertThat(settings.toWorkerConfig().s3().toString()).doesNotContain(FleetTestResource.SECRET);

        long end = System.currentTimeMillis() + 90_000;
        HttpResponse<String> ready = get("/q/health/ready");
        while (ready.statusCode() != 200 && System.currentTimeMillis() < end) {
            Thread.sleep(250);
            ready = get("/q/health/ready");
        }
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("\"modelLoaded\": true").contains("\"kafkaReachable\": true").contains("tiny-sd");
        assertThat(get("/q/health/live").statusCode()).isEqualTo(200);

        String bootstrap = settings.kafka().bootstrapServers();
        Job job = Job.txt2img(Job.newId(), "tiny-sd", "a quarkus cube", 64, 64, 2, new Requester("g", "c", "u", "m")).withSeed(3L);
        try (var producer = new KafkaProducer<String, byte[]>(KafkaSettings.producer(bootstrap, "app-test"));
             var consumer = new KafkaConsumer<String, byte[]>(KafkaSettings.consumer(bootstrap, null, "app-test-events"))) {
            producer.send(new ProducerRecord<>(Topics.JOBS, job.id(), JobCodec.encode(job))).get();
            TopicPartition tp = new TopicPartition(Topics.EVENTS, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            JobEvent completed = null;
            while (completed == null && System.currentTimeMillis() < end + 60_000) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    JobEvent e = JobCodec.decodeEvent(r.value());
                    if (e.jobId().equals(job.id()) && e.type() == JobEventType.COMPLETED) {
                        completed = e;
                    }
                }
            }
            assertThat(completed).isNotNull();
            assertThat(completed.workerId()).isEqualTo("app-worker");
        }

        long metricsEnd = System.currentTimeMillis() + 20_000;
        String metrics = get("/q/metrics").body();
        while (!metrics.matches("(?s).*imagine_queue_depth\\S* [0-9].*") && System.currentTimeMillis() < metricsEnd) {
            Thread.sleep(500);
            metrics = get("/q/metrics").body();
        }
        assertThat(metrics).containsPattern("imagine_jobs_total\\{[^}]*outcome=\"completed\"[^}]*} 1\\.0")
                .containsPattern("imagine_job_phase_seconds_count\\{[^}]*phase=\"engine\"")
                .containsPattern("imagine_job_phase_seconds_count\\{[^}]*phase=\"queue\"")
                .containsPattern("imagine_queue_depth\\S* 0\\.0")
                .contains("imagine_steps_per_second")
                .doesNotContain(FleetTestResource.SECRET);
    }
}
