package io.imaginefleet.bot.core;

import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code dlq.imagine.jobs} as its own consumer group ({@value #GROUP}) for the jobs the <em>broker</em>
 * dead-lettered: no worker settled them within the share group's delivery limit (e.g. every worker that took one
 * crashed on it), so no worker ever sent a {@code failed} event. For each it publishes that event on the workers'
 * behalf, and the requester hears about it like any other failure (posted once). Records the workers wrote themselves
 * already had their event and are skipped.
 */
public final class DeadLetterWatcher extends TopicWatcher {
    public static final String GROUP = "imagine-bot-dlq";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWatcher.class);
    private final Producer<String, byte[]> producer;

    public DeadLetterWatcher(String bootstrap, Producer<String, byte[]> producer) {
        super(bootstrap, Topics.DLQ, GROUP);
        this.producer = producer;
    }

    public DeadLetterWatcher start() {
        begin();
        return this;
    }

    /** The failed event for a broker-dead-lettered job record, or null when the record is not one. */
    static JobEvent failedEvent(ConsumerRecord<String, byte[]> r) {
        if (!Topics.brokerDeadLettered(r.headers())) return null;
        String id = r.value() == null ? null : JobCodec.peekId(r.value());
        if (id == null) id = r.key();
        if (id == null || id.isBlank()) return null;
        int deliveries = Topics.intHeader(r.headers(), Topics.H_BROKER_DLQ_DELIVERY_COUNT, 0);
        String message = "no worker could finish this job" + (deliveries > 0 ? " (it was delivered " + deliveries + " times)" : "")
                + "; it is kept for an operator to look at and replay";
        return JobEvent.failed(id, "broker", FailureCode.DELIVERY_LIMIT, message, false, Math.max(1, deliveries));
    }

    @Override
    void handle(ConsumerRecord<String, byte[]> r) {
        JobEvent e = failedEvent(r);
        if (e == null) return;
        LOG.warn("job {} was dead-lettered by the broker ({}); telling its requester",
                e.jobId(), Topics.header(r.headers(), Topics.H_BROKER_DLQ_MESSAGE));
        try {
            producer.send(new ProducerRecord<>(Topics.EVENTS, e.jobId(), JobCodec.encode(e))).get();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (Exception ex) {
            LOG.warn("could not publish the failure of dead-lettered job {}: {}", e.jobId(), ex.toString());
        }
    }
}
