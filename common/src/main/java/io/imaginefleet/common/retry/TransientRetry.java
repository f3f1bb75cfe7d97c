package io.imaginefleet.common.retry;

import dev.failsafe.RetryPolicy;
import io.imaginefleet.common.storage.BlobStoreException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Bounded retries for calls to S3 and Kafka that fail only while the dependency blips (an S3 server or a broker
 * restarting), shared by the bot and the workers: a Failsafe {@link RetryPolicy} with exponential backoff 250 ms → 5 s
 * and jitter until a total window is used up. Only transient failures are retried ({@link BlobStoreException#isTransient()},
 * Kafka's {@link RetriableException}s, timeouts); a missing object or a refused request fails at once.
 */
public final class TransientRetry {
    private TransientRetry() {
    }

    /** True when a failure (or one of its causes) is worth retrying later. */
    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BlobStoreException b) {
                return b.isTransient();
            }
            if (c instanceof RetriableException || c instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Retries transient failures with backoff for up to {@code window} in all, logging the first retry at info (then
     * debug) as {@code what}; stops early when {@code stop} turns true (shutting down).
     */
    public static <T> RetryPolicy<T> policy(Duration window, String what, Logger log, BooleanSupplier stop) {
        return RetryPolicy.<T>builder()
                .handleIf(TransientRetry::isTransient)
                .abortIf((r, ex) -> stop.getAsBoolean())
                .withBackoff(Duration.ofMillis(250), Duration.ofSeconds(5))
                .withJitter(0.25)
                .withMaxRetries(-1)
                .withMaxDuration(window)
                .onRetry(e -> {
                    String why = e.getLastException() == null ? "?" : e.getLastException().getMessage();
                    if (e.getAttemptCount() == 1) {
                        log.info("{}: attempt 1 failed ({}); retrying with backoff for up to {} s", what, why, window.toSeconds());
                    } else {
                        log.debug("{}: attempt {} failed ({}); retrying", what, e.getAttemptCount(), why);
                    }
                })
                .build();
    }
}
