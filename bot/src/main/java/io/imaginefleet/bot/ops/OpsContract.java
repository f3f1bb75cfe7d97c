package io.imaginefleet.bot.ops;

/**
 * The names the operator tools read, in one place. They are the common module's contract
 * ({@code io.imaginefleet.common.Topics}); kept here as a thin mapping so the tools read as the design says.
 */
final class OpsContract {
    private OpsContract() {
    }

    static final String JOBS = "imagine.jobs";
    static final String EVENTS = "imagine.events";
    static final String DLQ = "dlq.imagine.jobs";
    static final String WORKER_GROUP = "imagine-workers";

    static final String H_ERROR_CLASS = "error.class";
    static final String H_ERROR_MESSAGE = "error.message";
    static final String H_ATTEMPTS = "attempts";
    static final String H_WORKER = "worker";
    static final String H_FAILED_AT = "failed.at";
}
