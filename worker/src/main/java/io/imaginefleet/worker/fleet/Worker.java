package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.job.JobValidator;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.storage.BlobStore;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;

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
        JobConsumer.Settings settings = new JobConsumer.Settings(config.workerId(), config.maxAttempts(), Duration.ofMillis(500),
                Duration.ofSeconds(30), config.drainGrace());
        JobConsumer consumer = new JobConsumer(share, runner, events, dlq, new JobValidator(), settings, observer);
        Worker w = new Worker(config, engine, blobs, producer, consumer);
        consumer.start();
        LOG.info("worker {} taking jobs from {} (models {})", config.workerId(), config.kafkaBootstrap(), engine.models());
        return w;
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
