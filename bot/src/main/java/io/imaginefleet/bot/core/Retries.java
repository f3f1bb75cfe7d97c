package io.imaginefleet.bot.core;

import dev.failsafe.RetryPolicy;
import io.imaginefleet.common.storage.BlobStoreException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;

/**
 * The bot's bounded retries (Failsafe {@link RetryPolicy}: exponential backoff 250 ms → 5 s with jitter, until a
 * total window is used up) for calls to S3 and Kafka that fail only while the dependency blips — an S3 server
 * restarting, a broker restarting. Only transient failures are retried ({@link BlobStoreException#isTransient()},
 * Kafka's {@link RetriableException}s); a missing object or a refused request fails at once.
 *
 * <p>The intake window is {@value #QUEUE_WINDOW_PROPERTY} (seconds, default 45): a job submitted during an outage of
 * up to ~30 s is queued once S3 and Kafka are back; after the window the user is told it could not be queued.
 */
public final class Retries {
    /** System property ({@code -Dimagine.bot.queue-window-seconds=N}) for the intake window in seconds. */
    public static final String QUEUE_WINDOW_PROPERTY = "imagine.bot.queue-window-seconds";
    /** The default intake window. */
    public static final Duration DEFAULT_QUEUE_WINDOW = Duration.ofSeconds(45);
    /** How long a result's posting may wait for S3 (images, archived job) before the event is given up. */
    public static final Duration POST_WINDOW = Duration.ofSeconds(90);

    private Retries() {}

    /** The configured intake window. */
    public static Duration queueWindow() {
        return Duration.ofSeconds(Long.getLong(QUEUE_WINDOW_PROPERTY, DEFAULT_QUEUE_WINDOW.toSeconds()));
    }

    /** True when a failure (or one of its causes) is worth retrying later. */
    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BlobStoreException b) return b.isTransient();
            if (c instanceof RetriableException || c instanceof java.util.concurrent.TimeoutException) return true;
        }
        return false;
    }

    /**
     * Retries transient failures with backoff for up to {@code window} in all, logging each retry as {@code what};
     * stops early when {@code stop} turns true (shutting down).
     */
    public static <T> RetryPolicy<T> whileTransient(Duration window, String what, Logger log, BooleanSupplier stop) {
        return RetryPolicy.<T>builder()
                .handleIf(Retries::isTransient)
                .abortIf((r, ex) -> stop.getAsBoolean())
                .withBackoff(Duration.ofMillis(250), Duration.ofSeconds(5))
                .withJitter(0.25)
                .withMaxRetries(-1)
                .withMaxDuration(window)
                .onRetry(e -> {
                    String why = e.getLastException() == null ? "?" : e.getLastException().getMessage();
                    if (e.getAttemptCount() == 1) log.info("{}: attempt 1 failed ({}); retrying with backoff", what, why);
                    else log.debug("{}: attempt {} failed ({}); retrying", what, e.getAttemptCount(), why);
                })
                .build();
    }
}
