package io.imaginefleet.common.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * A generation job, the value of a record on {@code imagine.jobs} (schema v1, see DESIGN.md).
 * <p>
 * Required in JSON: {@code schema, id, kind, model, prompt, width, height, steps, guidance, scheduler, count,
 * createdAt}. Optional (null when absent): {@code negativePrompt, seed} (the worker picks one and reports it),
 * {@code strength} (img2img/inpaint), {@code inputImage}/{@code maskImage} (S3 keys under {@code inputs/}),
 * {@code noiseLevel} (upscale), {@code requester}, {@code deadline}, {@code replayOf}.
 * For {@code upscale}, {@code width}/{@code height} are the input image's size (the output is 4× that).
 * Decode with {@link JobCodec}, check with {@link JobValidator}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Job(
        @JsonProperty(value = "schema", required = true) int schema,
        @JsonProperty(value = "id", required = true) String id,
        @JsonProperty(value = "kind", required = true) JobKind kind,
        @JsonProperty(value = "model", required = true) String model,
        @JsonProperty(value = "prompt", required = true) String prompt,
        @JsonProperty("negativePrompt") String negativePrompt,
        @JsonProperty(value = "width", required = true) int width,
        @JsonProperty(value = "height", required = true) int height,
        @JsonProperty(value = "steps", required = true) int steps,
        @JsonProperty(value = "guidance", required = true) double guidance,
        @JsonProperty(value = "scheduler", required = true) String scheduler,
        @JsonProperty("seed") Long seed,
        @JsonProperty(value = "count", required = true) int count,
        @JsonProperty("strength") Double strength,
        @JsonProperty("inputImage") String inputImage,
        @JsonProperty("maskImage") String maskImage,
        @JsonProperty("noiseLevel") Integer noiseLevel,
        @JsonProperty("requester") Requester requester,
        @JsonProperty(value = "createdAt", required = true) Instant createdAt,
        @JsonProperty("deadline") Instant deadline,
        @JsonProperty("replayOf") String replayOf) {

    /** The schema version this code writes and reads. */
    public static final int SCHEMA_VERSION = 1;

    /** A txt2img job with defaults (512×512 would be typical; sizes given here), ready to be adjusted with {@code with…}. */
    public static Job txt2img(String id, String model, String prompt, int width, int height, int steps, Requester requester) {
        return new Job(SCHEMA_VERSION, id, JobKind.TXT2IMG, model, prompt, null, width, height, steps, 7.5, "ddim",
                null, 1, null, null, null, null, requester, Instant.now(), null, null);
    }

    /** A new random job id (UUID). */
    public static String newId() {
        return java.util.UUID.randomUUID().toString();
    }

    public Job withSeed(Long s) {
        return new Job(schema, id, kind, model, prompt, negativePrompt, width, height, steps, guidance, scheduler, s, count,
                strength, inputImage, maskImage, noiseLevel, requester, createdAt, deadline, replayOf);
    }

    public Job withCount(int c) {
        return new Job(schema, id, kind, model, prompt, negativePrompt, width, height, steps, guidance, scheduler, seed, c,
                strength, inputImage, maskImage, noiseLevel, requester, createdAt, deadline, replayOf);
    }

    public Job withScheduler(String s) {
        return new Job(schema, id, kind, model, prompt, negativePrompt, width, height, steps, guidance, s, seed, count,
                strength, inputImage, maskImage, noiseLevel, requester, createdAt, deadline, replayOf);
    }

    public Job withGuidance(double g) {
        return new Job(schema, id, kind, model, prompt, negativePrompt, width, height, steps, g, scheduler, seed, count,
                strength, inputImage, maskImage, noiseLevel, requester, createdAt, deadline, replayOf);
    }

    public Job withNegativePrompt(String n) {
        return new Job(schema, id, kind, model, prompt, n, width, height, steps, guidance, scheduler, seed, count,
                strength, inputImage, maskImage, noiseLevel, requester, createdAt, deadline, replayOf);
    }

    /** This job as another kind with the given inputs (for img2img, inpaint and upscale). */
    public Job withInputs(JobKind k, String input, String mask, Double str, Integer noise) {
        return new Job(schema, id, k, model, prompt, negativePrompt, width, height, steps, guidance, scheduler, seed, count,
                str, input, mask, noise, requester, createdAt, deadline, replayOf);
    }

    public Job withModel(String m) {
        return new Job(schema, id, kind, m, prompt, negativePrompt, width, height, steps, guidance, scheduler, seed, count,
                strength, inputImage, maskImage, noiseLevel, requester, createdAt, deadline, replayOf);
    }

    public Job withSize(int w, int h) {
        return new Job(schema, id, kind, model, prompt, negativePrompt, w, h, steps, guidance, scheduler, seed, count,
                strength, inputImage, maskImage, noiseLevel, requester, createdAt, deadline, replayOf);
    }

    public Job withSteps(int s) {
        return new Job(schema, id, kind, model, prompt, negativePrompt, width, height, s, guidance, scheduler, seed, count,
                strength, inputImage, maskImage, noiseLevel, requester, createdAt, deadline, replayOf);
    }

    public Job withDeadline(Instant d) {
        return new Job(schema, id, kind, model, prompt, negativePrompt, width, height, steps, guidance, scheduler, seed, count,
                strength, inputImage, maskImage, noiseLevel, requester, createdAt, d, replayOf);
    }

    /** A copy for replay: new id, {@code replayOf} set to this job's id, fresh {@code createdAt}. */
    public Job asReplay(String newId) {
        return new Job(schema, newId, kind, model, prompt, negativePrompt, width, height, steps, guidance, scheduler, seed, count,
                strength, inputImage, maskImage, noiseLevel, requester, Instant.now(), null, id);
    }

    /**
     * The S3 key of job {@code jobId}'s cancel marker, {@code cancelled/{jobId}}: written by the bot when its user
     * presses ❌; workers check it before and while they run the job.
     */
    public static String cancelMarkerKey(String jobId) {
        return "cancelled/" + jobId;
    }

    /** The S3 key of result image {@code index} of job {@code jobId}: {@code results/{jobId}/{index}.png}. */
    public static String resultKey(String jobId, int index) {
        return "results/" + jobId + "/" + index + ".png";
    }
}
