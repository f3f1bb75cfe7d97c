package io.imaginefleet.bot.core;

import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code dlq.imagine.jobs} as its own consumer group ({@value #GROUP}) for the jobs the <em>broker</em>
 * dead-lettered: no worker settled them within the share group's delivery limit (e.g. every worker that took one
 * crashed on it), so no worker ever sent a {@code failed} event. For each it publishes that event on the workers'
 * behalf, and the requester hears about it like any other failure (posted once). Records the workers wrote themselves
 * already had their event and are skipped.
 */
public final class DeadLetterWatcher implements AutoCloseable {
    public static final String GROUP = "imagine-bot-dlq";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWatcher.class);
    private final KafkaConsumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;

    public DeadLetterWatcher(String bootstrap, Producer<String, byte[]> producer) {
        Map<String, Object> cfg = KafkaSettings.consumer(bootstrap, GROUP, "imagine-bot-dlq");
        cfg.put("auto.offset.reset", "latest");
        this.consumer = new KafkaConsumer<>(cfg);
        this.producer = producer;
        this.thread = new Thread(this::run, "imagine-bot-dlq");
        this.thread.setDaemon(true);
    }

    public DeadLetterWatcher start() {
        thread.start();
        return this;
    }

    /** The failed event for a broker-dead-lettered job record, or null when the record is not one. */
    static JobEvent failedEvent(ConsumerRecord<String, byte[]> r) {
        if (!Topics.brokerDeadLettered(r.headers())) return null;
        String id = r.value() == null ? null : JobCodec.peekId(r.value());
        if (id == null) id = r.key();
        if (id == null || id.isBlank()) return null;
        int deliveries = 0;
        try {
            deliveries = Integer.parseInt(String.valueOf(Topics.header(r.headers(), Topics.H_BROKER_DLQ_DELIVERY_COUNT)).trim());
        } catch (NumberFormatException ignored) {
            // unknown
        }
        String message = "no worker could finish this job" + (deliveries > 0 ? " (it was delivered " + deliveries + " times)" : "")
                + "; it is kept for an operator to look at and replay";
        return JobEvent.failed(id, "broker", FailureCode.DELIVERY_LIMIT, message, false, Math.max(1, deliveries));
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.DLQ));
            while (running) {
                var records = consumer.poll(Duration.ofMillis(300));
                assigned = !consumer.assignment().isEmpty();
                for (ConsumerRecord<String, byte[]> r : records) {
                    JobEvent e = failedEvent(r);
                    if (e == null) continue;
                    LOG.warn("job {} was dead-lettered by the broker ({}); telling its requester",
                            e.jobId(), Topics.header(r.headers(), Topics.H_BROKER_DLQ_MESSAGE));
                    try {
                        producer.send(new ProducerRecord<>(Topics.EVENTS, e.jobId(), JobCodec.encode(e))).get();
                    } catch (Exception ex) {
                        LOG.warn("could not publish the failure of dead-lettered job {}: {}", e.jobId(), ex.toString());
                    }
                }
                if (!records.isEmpty()) consumer.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("dead-letter watcher stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** True once the watcher has its partitions. */
    public boolean assigned() {
        return assigned;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
