package io.imaginefleet.common.kafka;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/** Topic, group and header names shared by bot, worker and operator tools (see DESIGN.md). */
public final class Topics {
    /** Jobs to run; key = job id, value = {@code Job} JSON; consumed by the share group {@link #WORKER_SHARE_GROUP}. */
    public static final String JOBS = "imagine.jobs";
    /** Job events; key = job id, value = {@code JobEvent} JSON; consumed by the bot as {@link #BOT_GROUP}. */
    public static final String EVENTS = "imagine.events";
    /** Jobs that failed permanently; key = job id, value = the original record value, error headers below. */
    public static final String DLQ = "dlq.imagine.jobs";

    /** The workers' share group on {@link #JOBS}. */
    public static final String WORKER_SHARE_GROUP = "imagine-workers";
    /** The bot's consumer group on {@link #EVENTS}. */
    public static final String BOT_GROUP = "imagine-bot";

    /** DLQ header: the {@code FailureCode} (error class) of the failure. */
    public static final String H_ERROR_CLASS = "imagine.error.class";
    /** DLQ header: the user-readable failure message (never secrets). */
    public static final String H_ERROR_MESSAGE = "imagine.error.message";
    /** DLQ header: how many times the job had been delivered (decimal). */
    public static final String H_ATTEMPTS = "imagine.attempts";
    /** DLQ header: id of the worker that gave up on the job. */
    public static final String H_WORKER = "imagine.worker";
    /** DLQ header: when it failed, ISO-8601. */
    public static final String H_FAILED_AT = "imagine.failed.at";
    /** DLQ header: the job's original topic-partition@offset (for tracing). */
    public static final String H_ORIGIN = "imagine.origin";

    private Topics() {
    }

    /** The UTF-8 text of the last header named {@code name}, or null. */
    public static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
