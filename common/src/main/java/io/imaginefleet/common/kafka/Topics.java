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
    /**
     * Header of a record the <em>broker</em> dead-lettered (KIP-1191: the share group's delivery count limit was reached
     * without any worker settling the job): why, e.g. "Offset delivery count exceeded the threshold."
     */
    public static final String H_BROKER_DLQ_MESSAGE = "__dlq.errors.message";
    /** Header of a broker-dead-lettered record: its delivery count. */
    public static final String H_BROKER_DLQ_DELIVERY_COUNT = "__dlq.errors.delivery.count";
    /** Topic config that lets share groups write to {@link #DLQ}. */
    public static final String DLQ_ENABLE_CONFIG = "errors.deadletterqueue.group.enable";
    /** Share group config naming its dead-letter topic (the broker requires the {@code dlq.} prefix: {@link #DLQ} has it). */
    public static final String GROUP_DLQ_TOPIC_CONFIG = "errors.deadletterqueue.topic.name";
    /** Share group config: the broker copies the whole job record onto the dead-letter topic (so it can be replayed). */
    public static final String GROUP_DLQ_COPY_CONFIG = "errors.deadletterqueue.copy.record.enable";

    /** Whether a DLQ record was written by the broker rather than by a worker. */
    public static boolean brokerDeadLettered(Headers headers) {
        return headers.lastHeader(H_BROKER_DLQ_MESSAGE) != null && headers.lastHeader(H_ERROR_CLASS) == null;
    }

    private Topics() {
    }

    /** The UTF-8 text of the last header named {@code name}, or null. */
    public static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The last header named {@code name} as a decimal int, or {@code otherwise} when it is absent or not a number. */
    public static int intHeader(Headers headers, String name, int otherwise) {
        String v = header(headers, name);
        if (v == null) {
            return otherwise;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
