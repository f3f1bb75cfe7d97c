package io.imaginefleet.bot.ops;

import io.imaginefleet.common.kafka.Topics;

/** The contract names the operator tools read: aliases of {@link Topics}, so the tools read as the design says. */
final class OpsContract {
    private OpsContract() {
    }

    static final String JOBS = Topics.JOBS;
    static final String EVENTS = Topics.EVENTS;
    static final String DLQ = Topics.DLQ;
    static final String WORKER_GROUP = Topics.WORKER_SHARE_GROUP;

    static final String H_ERROR_CLASS = Topics.H_ERROR_CLASS;
    static final String H_ERROR_MESSAGE = Topics.H_ERROR_MESSAGE;
    static final String H_ATTEMPTS = Topics.H_ATTEMPTS;
    static final String H_WORKER = Topics.H_WORKER;
    static final String H_FAILED_AT = Topics.H_FAILED_AT;
}
