package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.kafka.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Publishes {@link JobEvent}s to {@link Topics#EVENTS}, keyed by job id, on a shared idempotent producer. */
public final class EventPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);
    private final Producer<String, byte[]> producer;

    public EventPublisher(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    /** Fire and forget (progress, accepted): a lost progress event is harmless. */
    public void publish(JobEvent event) {
        producer.send(new ProducerRecord<>(Topics.EVENTS, event.jobId(), JobCodec.encode(event)), (md, e) -> {
            if (e != null) {
                LOG.warn("could not publish {} event of job {}: {}", event.type().wireName(), event.jobId(), e.toString());
            }
        });
    }

    /** Publishes and waits for the broker's acknowledgement (completed, failed); throws when it does not come. */
    public void publishAndWait(JobEvent event, Duration timeout) throws Exception {
        producer.send(new ProducerRecord<>(Topics.EVENTS, event.jobId(), JobCodec.encode(event)))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
