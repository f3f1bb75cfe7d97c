package io.imaginefleet.common.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one set of rules a job must meet, used by the bot before producing and by the worker before running.
 * Every violation names the field and the allowed range. Configure with {@link Limits} (the defaults suit SD 1.x/2.x).
 */
public final class JobValidator {
    /** Scheduler names a job may ask for (the engine's {@code Schedulers.create} names). */
    public static final List<String> SCHEDULERS =
            List.of("ddim", "pndm", "lms", "euler", "euler-a", "dpmpp-2m", "dpmpp-2m-karras", "ddpm");
    /** Job ids: a UUID or a ULID. */
    public static final Pattern ID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}");
    /** Model names: lower-case letters, digits, '.', '_' and '-', 1–64 characters, starting with a letter or digit. */
    public static final Pattern MODEL_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** S3 keys of input images must live under this prefix. */
    public static final String INPUT_PREFIX = "inputs/";

    /**
     * Limits a deployment may tune. {@code models} empty means any well-formed model name passes here (the worker
     * then answers {@link FailureCode#UNKNOWN_MODEL} for one it does not serve).
     */
    public record Limits(int maxPromptChars, int minSide, int maxSide, long maxPixels, long maxUpscaleInputPixels,
                         int maxSteps, double maxGuidance, int maxCount, int maxNoiseLevel, Set<String> models) {
        public static Limits defaults() {
            return new Limits(2000, 64, 2048, 1024L * 1024L, 512L * 512L, 150, 30.0, 4, 350, Set.of());
        }

        public Limits withModels(Set<String> m) {
            return new Limits(maxPromptChars, minSide, maxSide, maxPixels, maxUpscaleInputPixels, maxSteps, maxGuidance,
                    maxCount, maxNoiseLevel, Set.copyOf(m));
        }
    }

    private final Limits limits;

    public JobValidator() {
        this(Limits.defaults());
    }

    public JobValidator(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /** Throws {@link InvalidJobException} listing every violation; returns the job when it is valid. */
    public Job validate(Job job) {
        List<Violation> v = violations(job);
        if (!v.isEmpty()) {
            boolean onlyModel = v.size() == 1 && v.get(0).field().equals("model") && v.get(0).message().startsWith("unknown model");
            throw new InvalidJobException(onlyModel ? FailureCode.UNKNOWN_MODEL : FailureCode.INVALID, v);
        }
        return job;
    }

    /** All violations of the rules, empty when the job is valid. */
    public List<Violation> violations(Job job) {
        List<Violation> v = new ArrayList<>();
        if (job.schema() != Job.SCHEMA_VERSION) {
            v.add(new Violation("schema", "must be " + Job.SCHEMA_VERSION + " (was " + job.schema() + ")"));
        }
        if (job.id() == null || !ID.matcher(job.id()).matches()) {
            v.add(new Violation("id", "must be a UUID or a ULID"));
        }
        if (job.kind() == null) {
            v.add(new Violation("kind", "required, one of " + JobKind.allowed()));
        }
        checkModel(job.model(), v);
        checkText("prompt", job.prompt(), job.kind() != JobKind.UPSCALE, v);
        if (job.negativePrompt() != null) {
            checkText("negativePrompt", job.negativePrompt(), false, v);
        }
        checkSize(job, v);
        if (job.steps() < 1 || job.steps() > limits.maxSteps()) {
            v.add(new Violation("steps", "must be between 1 and " + limits.maxSteps() + " (was " + job.steps() + ")"));
        }
        if (!(job.guidance() >= 0 && job.guidance() <= limits.maxGuidance())) {
            v.add(new Violation("guidance", "must be between 0 and " + fmt(limits.maxGuidance()) + " (was " + fmt(job.guidance()) + ")"));
        }
        if (job.scheduler() == null || !SCHEDULERS.contains(job.scheduler())) {
            v.add(new Violation("scheduler", "must be one of " + String.join("|", SCHEDULERS)
                    + (job.scheduler() == null ? "" : " (was '" + shorten(job.scheduler()) + "')")));
        }
        if (job.seed() != null && job.seed() < 0) {
            v.add(new Violation("seed", "must be between 0 and " + Long.MAX_VALUE + " (was " + job.seed() + ")"));
        }
        if (job.count() < 1 || job.count() > limits.maxCount()) {
            v.add(new Violation("count", "must be between 1 and " + limits.maxCount() + " (was " + job.count() + ")"));
        }
        checkKindInputs(job, v);
        if (job.createdAt() == null) {
            v.add(new Violation("createdAt", "required"));
        }
        if (job.deadline() != null && job.createdAt() != null && job.deadline().isBefore(job.createdAt())) {
            v.add(new Violation("deadline", "must not be before createdAt"));
        }
        if (job.replayOf() != null && !ID.matcher(job.replayOf()).matches()) {
            v.add(new Violation("replayOf", "must be a UUID or a ULID"));
        }
        return v;
    }

    /** True when the job's deadline has passed at {@code now}. */
    public static boolean expired(Job job, Instant now) {
        return job.deadline() != null && now.isAfter(job.deadline());
    }

    private void checkModel(String model, List<Violation> v) {
        if (model == null || !MODEL_NAME.matcher(model).matches()) {
            v.add(new Violation("model", "must be 1–64 characters of a-z, 0-9, '.', '_' or '-'"
                    + (model == null ? "" : " (was '" + shorten(model) + "')")));
        } else if (!limits.models().isEmpty() && !limits.models().contains(model)) {
            v.add(new Violation("model", "unknown model '" + model + "' (served: " + String.join(", ", limits.models().stream().sorted().toList()) + ")"));
        }
    }

    private void checkText(String field, String text, boolean required, List<Violation> v) {
        if (text == null) {
            v.add(new Violation(field, "required"));
            return;
        }
        if (required && text.isBlank()) {
            v.add(new Violation(field, "must not be empty (1–" + limits.maxPromptChars() + " characters)"));
        }
        int chars = text.codePointCount(0, text.length());
        if (chars > limits.maxPromptChars()) {
            v.add(new Violation(field, "must be at most " + limits.maxPromptChars() + " characters (was " + chars + ")"));
        }
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if ((Character.isISOControl(cp) && cp != '\n' && cp != '\t') || (cp >= 0xD800 && cp <= 0xDFFF)) {
                v.add(new Violation(field, String.format("must not contain control characters (found U+%04X at index %d)", cp, i)));
                break;
            }
            i += Character.charCount(cp);
        }
    }

    private void checkSize(Job job, List<Violation> v) {
        checkSide("width", job.width(), v);
        checkSide("height", job.height(), v);
        long pixels = (long) job.width() * job.height();
        long max = job.kind() == JobKind.UPSCALE ? limits.maxUpscaleInputPixels() : limits.maxPixels();
        if (job.width() > 0 && job.height() > 0 && pixels > max) {
            v.add(new Violation("width", "width × height must be at most " + max + " pixels"
                    + (job.kind() == JobKind.UPSCALE ? " for an upscale input" : "")
                    + " (was " + job.width() + "×" + job.height() + " = " + pixels + ")"));
        }
    }

    private void checkSide(String field, int value, List<Violation> v) {
        if (value < limits.minSide() || value > limits.maxSide() || value % 8 != 0) {
            v.add(new Violation(field, "must be a multiple of 8 between " + limits.minSide() + " and " + limits.maxSide()
                    + " (was " + value + ")"));
        }
    }

    private void checkKindInputs(Job job, List<Violation> v) {
        if (job.kind() == null) {
            return;
        }
        boolean needsImage = job.kind() != JobKind.TXT2IMG;
        if (needsImage) {
            checkKey("inputImage", job.inputImage(), true, job.kind(), v);
        } else if (job.inputImage() != null) {
            v.add(new Violation("inputImage", "not allowed for txt2img"));
        }
        if (job.kind() == JobKind.INPAINT) {
            checkKey("maskImage", job.maskImage(), true, job.kind(), v);
        } else if (job.maskImage() != null) {
            v.add(new Violation("maskImage", "only allowed for inpaint"));
        }
        if (job.kind() == JobKind.IMG2IMG && job.strength() == null) {
            v.add(new Violation("strength", "required for img2img, between 0 (exclusive) and 1"));
        }
        if (job.strength() != null) {
            if (job.kind() != JobKind.IMG2IMG && job.kind() != JobKind.INPAINT) {
                v.add(new Violation("strength", "only allowed for img2img and inpaint"));
            } else if (!(job.strength() > 0 && job.strength() <= 1)) {
                v.add(new Violation("strength", "must be greater than 0 and at most 1 (was " + fmt(job.strength()) + ")"));
            }
        }
        if (job.noiseLevel() != null) {
            if (job.kind() != JobKind.UPSCALE) {
                v.add(new Violation("noiseLevel", "only allowed for upscale"));
            } else if (job.noiseLevel() < 0 || job.noiseLevel() > limits.maxNoiseLevel()) {
                v.add(new Violation("noiseLevel", "must be between 0 and " + limits.maxNoiseLevel() + " (was " + job.noiseLevel() + ")"));
            }
        }
    }

    private static void checkKey(String field, String key, boolean required, JobKind kind, List<Violation> v) {
        if (key == null || key.isEmpty()) {
            if (required) {
                v.add(new Violation(field, "required for " + kind.wireName() + " (an S3 key under " + INPUT_PREFIX + ")"));
            }
            return;
        }
        if (!key.startsWith(INPUT_PREFIX) || key.contains("..") || key.length() > 512
                || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            v.add(new Violation(field, "must be an S3 key under " + INPUT_PREFIX + " (printable ASCII, no '..', at most 512 characters)"));
        }
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
