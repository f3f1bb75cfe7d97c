package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.job.JobValidator;
import io.imaginefleet.common.kafka.FleetTopology;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.storage.BlobStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One worker: a share consumer on {@code imagine.jobs}, the engine, the blob store and an idempotent producer for
 * events and the DLQ, wired together. Plain Java: used by the Quarkus app, by {@link WorkerMain} (a separate JVM)
 * and by the local run. {@link #drain(Duration)} is the SIGTERM path.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final WorkerConfig config;
    private final ImageEngine engine;
    private final BlobStore blobs;
    private final Producer<String, byte[]> producer;
    private final JobConsumer consumer;
    private volatile boolean closed;

    private Worker(WorkerConfig config, ImageEngine engine, BlobStore blobs, Producer<String, byte[]> producer, JobConsumer consumer) {
        this.config = config;
        this.engine = engine;
        this.blobs = blobs;
        this.producer = producer;
        this.consumer = consumer;
    }

    /** Connects and starts taking jobs. The worker owns {@code engine} and closes it. */
    public static Worker start(WorkerConfig config, ImageEngine engine, FleetObserver observer) {
        BlobStore blobs = new BlobStore(config.s3());
        Producer<String, byte[]> producer = new KafkaProducer<>(KafkaSettings.producer(config.kafkaBootstrap(), config.workerId() + "-events"));
        EventPublisher events = new EventPublisher(producer);
        DeadLetterWriter dlq = new DeadLetterWriter(producer, config.workerId());
        JobRunner runner = new JobRunner(engine, blobs, events, config.workerId(), config.progressEvery(), Duration.ofSeconds(30),
                config.maxInputPixels(), observer);
        Map<String, Object> props = KafkaSettings.shareConsumer(config.kafkaBootstrap(), Topics.WORKER_SHARE_GROUP, config.workerId());
        KafkaShareConsumer<String, byte[]> share = new KafkaShareConsumer<>(props);
        int maxAttempts = JobConsumer.effectiveMaxAttempts(config.maxAttempts(), prepareShareGroup(config));
        if (maxAttempts != config.maxAttempts()) {
            LOG.warn("WORKER_MAX_ATTEMPTS={} is not below the share group's delivery count limit; using {} so that no job is "
                    + "archived by the broker without a failure event", config.maxAttempts(), maxAttempts);
        }
        JobConsumer.Settings settings = new JobConsumer.Settings(config.workerId(), maxAttempts, Duration.ofMillis(500),
                Duration.ofSeconds(30), config.drainGrace());
        JobConsumer consumer = new JobConsumer(share, runner, events, dlq, new JobValidator(), settings, observer);
        Worker w = new Worker(config, engine, blobs, producer, consumer);
        consumer.start();
        LOG.info("worker {} taking jobs from {} (models {})", config.workerId(), config.kafkaBootstrap(), engine.models());
        return w;
    }

    /**
     * Makes sure the workers' share group has {@link FleetTopology#workerGroupConfig()} (start from the earliest job:
     * the broker's default, latest, would skip the jobs queued before the first worker of a new fleet joined, e.g. when
     * KEDA scales from zero; jobs past the delivery limit dead-lettered, not archived silently; best effort, as it needs
     * the right to alter the group's configs) and returns its {@code share.delivery.count.limit} (group or broker
     * default), or null when unknown.
     */
    static Integer prepareShareGroup(WorkerConfig config) {
        ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, Topics.WORKER_SHARE_GROUP);
        try (Admin admin = Admin.create(KafkaSettings.admin(config.kafkaBootstrap()))) {
            Config current = admin.describeConfigs(List.of(group)).all().get(15, TimeUnit.SECONDS).get(group);
            Map<String, String> missing = new TreeMap<>();
            FleetTopology.workerGroupConfig().forEach((k, v) -> {
                ConfigEntry e = current.get(k);
                if (e == null || !v.equals(e.value())) {
                    missing.put(k, v);
                }
            });
            if (!missing.isEmpty()) {
                try {
                    FleetTopology.setGroupConfig(admin, Topics.WORKER_SHARE_GROUP, missing);
                    LOG.info("share group {} configured: {}", Topics.WORKER_SHARE_GROUP, missing);
                } catch (RuntimeException e) {
                    LOG.warn("share group {} lacks {} and could not be configured ({}): jobs queued before the first worker "
                            + "joined may be skipped, and a job past the delivery limit is archived without a DLQ record",
                            Topics.WORKER_SHARE_GROUP, missing, e.getMessage());
                }
            }
            ConfigEntry e = current.get("share.delivery.count.limit");
            return e == null || e.value() == null ? null : Integer.valueOf(e.value());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            LOG.warn("could not read the share group's delivery count limit ({}); keeping WORKER_MAX_ATTEMPTS", e.toString());
            return null;
        }
    }

    public WorkerConfig config() {
        return config;
    }

    public ImageEngine engine() {
        return engine;
    }

    public BlobStore blobs() {
        return blobs;
    }

    public JobConsumer consumer() {
        return consumer;
    }

    /**
     * Stops taking jobs, lets the job in hand finish within {@code grace} (else releases it), then closes everything.
     * Idempotent.
     */
    public synchronized void drain(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("worker {} draining (grace {} s)", config.workerId(), grace.toSeconds());
        consumer.requestStop(grace);
        try {
            if (!consumer.awaitStopped(grace.plusSeconds(30))) {
                LOG.warn("worker {}: intake did not stop in time", config.workerId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            producer.close(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.warn("closing the producer failed: {}", e.toString());
        }
        blobs.close();
        engine.close();
        LOG.info("worker {} stopped", config.workerId());
    }

    @Override
    public void close() {
        drain(Duration.ZERO);
    }
}
