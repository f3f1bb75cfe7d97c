package io.imaginefleet.common.job;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobValidatorTest {
    private final JobValidator validator = new JobValidator();

    private void assertViolation(UnaryOperator<Job> change, String field, String fragment) {
        Job j = change.apply(JobCodecTest.sample());
        assertThatThrownBy(() -> validator.validate(j))
                .isInstanceOf(InvalidJobException.class)
                .satisfies(e -> {
                    InvalidJobException ije = (InvalidJobException) e;
                    assertThat(ije.violations()).anySatisfy(v -> {
                        assertThat(v.field()).isEqualTo(field);
                        assertThat(v.message()).contains(fragment);
                    });
                });
    }

    @Test
    void acceptsAValidJobOfEachKind() {
        Job j = JobCodecTest.sample();
        assertThat(validator.validate(j)).isSameAs(j);
        validator.validate(j.withInputs(JobKind.IMG2IMG, "inputs/a.png", null, 0.6, null));
        validator.validate(j.withInputs(JobKind.INPAINT, "inputs/a.png", "inputs/m.png", null, null));
        validator.validate(j.withInputs(JobKind.UPSCALE, "inputs/a.png", null, null, 20).withSize(128, 128));
        for (String s : JobValidator.SCHEDULERS) {
            validator.validate(j.withScheduler(s).withCount(4));
        }
    }

    @Test
    void namesFieldAndRangeForEveryViolation() {
        assertViolation(j -> j.withSize(63, 64), "width", "multiple of 8 between 64 and 2048 (was 63)");
        assertViolation(j -> j.withSize(64, 4096), "height", "multiple of 8 between 64 and 2048 (was 4096)");
        assertViolation(j -> j.withSize(2048, 2048), "width", "at most 1048576 pixels");
        assertViolation(j -> j.withSteps(0), "steps", "between 1 and 150 (was 0)");
        assertViolation(j -> j.withSteps(151), "steps", "between 1 and 150");
        assertViolation(j -> j.withGuidance(-1), "guidance", "between 0 and 30 (was -1)");
        assertViolation(j -> j.withGuidance(Double.NaN), "guidance", "between 0 and 30");
        assertViolation(j -> j.withCount(5), "count", "between 1 and 4 (was 5)");
        assertViolation(j -> j.withCount(0), "count", "between 1 and 4");
        assertViolation(j -> j.withScheduler("k_euler"), "scheduler", "ddim|pndm|lms|euler|euler-a|dpmpp-2m|dpmpp-2m-karras|ddpm");
        assertViolation(j -> j.withModel("Bad Model!"), "model", "a-z, 0-9");
        assertViolation(j -> j.withSeed(-5L), "seed", "between 0 and");
        assertViolation(j -> j.withNegativePrompt("x".repeat(2001)), "negativePrompt", "at most 2000 characters (was 2001)");
        assertViolation(j -> new Job(1, j.id(), j.kind(), j.model(), " ", null, 64, 64, 2, 7.5, "ddim", null, 1, null, null, null,
                null, null, Instant.now(), null, null), "prompt", "must not be empty");
        assertViolation(j -> new Job(1, j.id(), j.kind(), j.model(), "a\u0007bell", null, 64, 64, 2, 7.5, "ddim", null, 1, null, null,
                null, null, null, Instant.now(), null, null), "prompt", "control characters (found U+0007 at index 1)");
        assertViolation(j -> new Job(1, "not-an-id", j.kind(), j.model(), "p", null, 64, 64, 2, 7.5, "ddim", null, 1, null, null,
                null, null, null, Instant.now(), null, null), "id", "UUID or a ULID");
        assertViolation(j -> j.withInputs(JobKind.IMG2IMG, "inputs/a.png", null, null, null), "strength", "required for img2img");
        assertViolation(j -> j.withInputs(JobKind.IMG2IMG, "inputs/a.png", null, 1.5, null), "strength", "greater than 0 and at most 1 (was 1.5)");
        assertViolation(j -> j.withInputs(JobKind.INPAINT, "inputs/a.png", null, null, null), "maskImage", "required for inpaint");
        assertViolation(j -> j.withInputs(JobKind.UPSCALE, null, null, null, null), "inputImage", "required for upscale");
        assertViolation(j -> j.withInputs(JobKind.UPSCALE, "inputs/a.png", null, null, 400), "noiseLevel", "between 0 and 350 (was 400)");
        assertViolation(j -> j.withInputs(JobKind.IMG2IMG, "../secret", null, 0.5, null), "inputImage", "under inputs/");
        assertViolation(j -> j.withInputs(JobKind.TXT2IMG, null, null, 0.5, null), "strength", "only allowed for img2img and inpaint");
    }

    @Test
    void unknownModelHasItsOwnCode() {
        JobValidator v = new JobValidator(JobValidator.Limits.defaults().withModels(Set.of("tiny-sd")));
        v.validate(JobCodecTest.sample());
        assertThatThrownBy(() -> v.validate(JobCodecTest.sample().withModel("sdxl")))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> {
                    assertThat(e.code()).isEqualTo(FailureCode.UNKNOWN_MODEL);
                    assertThat(e.getMessage()).isEqualTo("model: unknown model 'sdxl' (served: tiny-sd)");
                });
        assertThatThrownBy(() -> v.validate(JobCodecTest.sample().withModel("sdxl").withSteps(0)))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> assertThat(e.code()).isEqualTo(FailureCode.INVALID));
    }
}
