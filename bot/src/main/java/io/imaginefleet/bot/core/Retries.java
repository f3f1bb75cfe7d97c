package io.imaginefleet.bot.core;

import java.time.Duration;

/**
 * The windows of the bot's bounded retries ({@link io.imaginefleet.common.retry.TransientRetry}) for calls to S3 and
 * Kafka that fail only while the dependency blips.
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
}
