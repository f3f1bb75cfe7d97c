package io.imaginefleet.bot.core;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.imaginefleet.common.job.InvalidJobException;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.retry.TransientRetry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes {@code imagine.events} as the consumer group {@code imagine-bot} on its own thread and hands each event
 * to the {@link ResultPoster}; commits after each batch. A malformed event is skipped with a warning; an event whose
 * posting fails because S3 or Kafka is briefly away is retried with backoff for up to {@link Retries#POST_WINDOW}, any
 * other failure a few times, then skipped (never posted twice: the ledger guards that).
 */
public final class EventConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventConsumer.class);
    private final KafkaConsumer<String, byte[]> consumer;
    private final ResultPoster poster;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lag = -1;
    private volatile Instant lastPoll = Instant.EPOCH;
    /** Next offset to read per partition after the events handled since the last commit. */
    private final Map<TopicPartition, OffsetAndMetadata> handled = new java.util.HashMap<>();
    /** S3 or Kafka away (a restart, an outage): keep trying with backoff for a while, the result must not be lost. */
    private final RetryPolicy<Object> transientRetry =
            TransientRetry.policy(Retries.POST_WINDOW, "posting an event", LOG, () -> !running);
    /** Anything else (Discord refused, a job this bot has no record of yet): a few quick tries. */
    private final RetryPolicy<Object> otherRetry = RetryPolicy.builder()
            .handleIf(ex -> !TransientRetry.isTransient(ex))
            .abortIf((r, ex) -> !running)
            .withMaxRetries(2).withBackoff(Duration.ofMillis(500), Duration.ofSeconds(1))
            .onRetry(ev -> LOG.warn("event handling failed (attempt {}): {}; retrying", ev.getAttemptCount(),
                    ev.getLastException() == null ? "?" : ev.getLastException().toString()))
            .build();

    public EventConsumer(String bootstrap, ResultPoster poster) {
        Map<String, Object> cfg = KafkaSettings.consumer(bootstrap, Topics.BOT_GROUP, "imagine-bot-events");
        cfg.put("max.poll.records", 50);
        this.consumer = new KafkaConsumer<>(cfg);
        this.poster = poster;
        this.thread = new Thread(this::run, "imagine-bot-events");
        this.thread.setDaemon(true);
    }

    public EventConsumer start() {
        thread.start();
        return this;
    }

    /** Records not yet consumed, summed over the assigned partitions; -1 before the first poll. */
    public long lag() {
        return lag;
    }

    /** True while the consumer thread runs and polled in the last minute. */
    public boolean alive() {
        return thread.isAlive() && lastPoll.isAfter(Instant.now().minusSeconds(60));
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.EVENTS));
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                lastPoll = Instant.now();
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (!running || !handle(r)) break;
                    handled.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                if (!running) break;
                if (!handled.isEmpty()) {
                    consumer.commitSync(handled);
                    handled.clear();
                }
                updateLag();
            }
        } catch (WakeupException e) {
            if (running) LOG.error("events consumer woken unexpectedly", e);
        } catch (RuntimeException e) {
            LOG.error("events consumer stopped: {}", e.toString(), e);
        } finally {
            try {
                // only what was handled: events polled but not posted yet are read again by the next bot
                if (!handled.isEmpty()) consumer.commitSync(handled, Duration.ofSeconds(5));
            } catch (RuntimeException ignored) {
                // best effort
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Handles one record; false when the bot is stopping before it was handled (the next bot reads it again). */
    private boolean handle(ConsumerRecord<String, byte[]> r) {
        JobEvent e;
        try {
            e = JobCodec.decodeEvent(r.value());
        } catch (InvalidJobException ex) {
            LOG.warn("skipping malformed event at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), ex.getMessage());
            return true;
        }
        try {
            Failsafe.with(transientRetry, otherRetry).run(() -> poster.handle(e));
        } catch (RuntimeException ex) {
            if (!running) return false;
            Throwable cause = ex instanceof FailsafeException && ex.getCause() != null ? ex.getCause() : ex;
            LOG.error("giving up on {} event of job {}: {}", e.type().wireName(), e.jobId(), cause.toString());
        }
        return true;
    }

    private void updateLag() {
        long sum = 0;
        for (TopicPartition tp : consumer.assignment()) {
            sum += consumer.currentLag(tp).orElse(0);
        }
        lag = sum;
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
