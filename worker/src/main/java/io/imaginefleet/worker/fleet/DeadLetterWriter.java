package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Writes a job that failed permanently to {@link Topics#DLQ}: the original value unchanged (even when it is not
 * JSON), keyed by job id, with the error headers {@link Topics#H_ERROR_CLASS}, {@link Topics#H_ERROR_MESSAGE},
 * {@link Topics#H_ATTEMPTS}, {@link Topics#H_WORKER}, {@link Topics#H_FAILED_AT}, {@link Topics#H_ORIGIN}.
 */
public final class DeadLetterWriter {
    private static final int MAX_MESSAGE = 1000;
    private final Producer<String, byte[]> producer;
    private final String workerId;

    public DeadLetterWriter(Producer<String, byte[]> producer, String workerId) {
        this.producer = producer;
        this.workerId = workerId;
    }

    /** Sends and waits for the broker's acknowledgement. */
    public void write(ConsumerRecord<String, byte[]> record, String key, String errorClass, String message, int attempts,
                      Duration timeout) throws Exception {
        RecordHeaders h = new RecordHeaders();
        h.add(Topics.H_ERROR_CLASS, utf8(errorClass));
        h.add(Topics.H_ERROR_MESSAGE, utf8(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) + "…" : message));
        h.add(Topics.H_ATTEMPTS, utf8(Integer.toString(attempts)));
        h.add(Topics.H_WORKER, utf8(workerId));
        h.add(Topics.H_FAILED_AT, utf8(Instant.now().toString()));
        h.add(Topics.H_ORIGIN, utf8(record.topic() + "-" + record.partition() + "@" + record.offset()));
        producer.send(new ProducerRecord<>(Topics.DLQ, null, key, record.value(), h)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
