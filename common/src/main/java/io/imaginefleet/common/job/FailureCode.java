package io.imaginefleet.common.job;

/** Values of {@link JobEvent#code()} on {@code failed} events and of the DLQ error-class header. */
public final class FailureCode {
    /** The record is not a readable job (not JSON, wrong schema version, missing field, wrong type, too large). */
    public static final String MALFORMED = "malformed_job";
    /** The job decodes but breaks a validation rule (size, steps, scheduler, …). */
    public static final String INVALID = "invalid_job";
    /** The job names a model this fleet does not serve. */
    public static final String UNKNOWN_MODEL = "unknown_model";
    /** An input or mask image is missing, not an image, too large or truncated. */
    public static final String BAD_INPUT = "bad_input_image";
    /** The job's deadline passed before it could run. */
    public static final String EXPIRED = "deadline_passed";
    /** The job was delivered more often than the delivery limit (workers crashed or kept failing on it). */
    public static final String DELIVERY_LIMIT = "delivery_limit_exceeded";
    /** The engine failed for a reason not caused by the job (reported with retryable=true until the limit). */
    public static final String ENGINE_ERROR = "engine_error";
    /** The requester cancelled the job (❌ in Discord) before or while it ran; not retried, not dead-lettered. */
    public static final String CANCELLED = "cancelled_by_user";
    /** S3 or Kafka unavailable (transient; the job is released for redelivery). */
    public static final String UNAVAILABLE = "dependency_unavailable";

    private FailureCode() {
    }
}
