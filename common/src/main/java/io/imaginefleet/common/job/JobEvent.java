package io.imaginefleet.common.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An event about a job, the value of a record on {@code imagine.events} (schema v1), keyed by job id.
 * Fields per type (others null): {@code accepted}: {@code attempt}; {@code progress}: {@code step, totalSteps,
 * previewKey} (optional); {@code completed}: {@code resultKeys, seed, timings} (milliseconds by phase: {@code queue,
 * text, denoise, decode, upload, total}), {@code parameters} (AUTOMATIC1111-style text per image), {@code attempt};
 * {@code failed}: {@code code} (see {@link FailureCode}), {@code message} (user-readable), {@code retryable},
 * {@code attempt}. Events may repeat (at-least-once): consumers de-duplicate by job id and type.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobEvent(
        @JsonProperty(value = "schema", required = true) int schema,
        @JsonProperty(value = "jobId", required = true) String jobId,
        @JsonProperty(value = "type", required = true) JobEventType type,
        @JsonProperty(value = "workerId", required = true) String workerId,
        @JsonProperty(value = "at", required = true) Instant at,
        @JsonProperty("step") Integer step,
        @JsonProperty("totalSteps") Integer totalSteps,
        @JsonProperty("previewKey") String previewKey,
        @JsonProperty("resultKeys") List<String> resultKeys,
        @JsonProperty("seed") Long seed,
        @JsonProperty("timings") Map<String, Long> timings,
        @JsonProperty("parameters") List<String> parameters,
        @JsonProperty("code") String code,
        @JsonProperty("message") String message,
        @JsonProperty("retryable") Boolean retryable,
        @JsonProperty("attempt") Integer attempt) {

    public static JobEvent accepted(String jobId, String workerId, int attempt) {
        return new JobEvent(Job.SCHEMA_VERSION, jobId, JobEventType.ACCEPTED, workerId, Instant.now(),
                null, null, null, null, null, null, null, null, null, null, attempt);
    }

    public static JobEvent progress(String jobId, String workerId, int step, int totalSteps, String previewKey) {
        return new JobEvent(Job.SCHEMA_VERSION, jobId, JobEventType.PROGRESS, workerId, Instant.now(),
                step, totalSteps, previewKey, null, null, null, null, null, null, null, null);
    }

    public static JobEvent completed(String jobId, String workerId, List<String> resultKeys, long seed,
                                     Map<String, Long> timings, List<String> parameters, int attempt) {
        return new JobEvent(Job.SCHEMA_VERSION, jobId, JobEventType.COMPLETED, workerId, Instant.now(),
                null, null, null, List.copyOf(resultKeys), seed, timings, parameters, null, null, null, attempt);
    }

    public static JobEvent failed(String jobId, String workerId, String code, String message, boolean retryable, int attempt) {
        return new JobEvent(Job.SCHEMA_VERSION, jobId, JobEventType.FAILED, workerId, Instant.now(),
                null, null, null, null, null, null, null, code, message, retryable, attempt);
    }
}
