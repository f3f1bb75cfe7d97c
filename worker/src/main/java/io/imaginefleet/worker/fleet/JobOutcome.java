package io.imaginefleet.worker.fleet;

/** How running one job ended; decides the acknowledgement. */
public sealed interface JobOutcome {
    /** Result stored and the completed event sent: ACCEPT. */
    record Completed(int images) implements JobOutcome {
    }

    /** The job can never succeed (invalid, unknown model, bad input): failed event + DLQ record + ACCEPT. */
    record Permanent(String code, String message) implements JobOutcome {
    }

    /** Worth another try elsewhere or later (S3/Kafka down, out of memory): RELEASE, until the attempt limit. */
    record Transient(String code, String message, Throwable cause) implements JobOutcome {
    }

    /** The requester cancelled it (the bot's cancel marker): failed event (not retryable), ACCEPT, no DLQ. */
    record Withdrawn() implements JobOutcome {
    }

    /** Stopped because the worker is shutting down: RELEASE without counting against the job. */
    record Cancelled() implements JobOutcome {
    }
}
