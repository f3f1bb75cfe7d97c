package io.imaginefleet.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with diffusers 0.27.2 on every {@code scheduler__*} fixture case: timesteps exact, sigmas and
 * init_noise_sigma to 1e-6 relative, and a full free-running loop whose scaled model inputs and previous samples
 * stay within {@code max|Δ| ≤ 1e-4·max|ref| + 1e-5} at every step.
 */
class SchedulerParityTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static List<String> cases() {
        return Fixtures.schedulerCaseIds();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesDiffusers(String caseId) {
        JsonNode c = Fixtures.schedulerCase(caseId);
        JsonNode outputs = c.get("outputs");
        JsonNode inputs = c.get("inputs");
        int steps = c.get("num_inference_steps").asInt();

        try (Scheduler scheduler = Schedulers.fromConfig(c.get("scheduler_config"))) {
            scheduler.setTimesteps(steps);

            float[] expectedTimesteps = Fixtures.npy(outputs.get("timesteps").get("file").asText()).floats();
            assertThat(scheduler.timesteps()).as("timesteps").containsExactly(expectedTimesteps);
            if (outputs.has("sigmas")) {
                float[] expected = Fixtures.npy(outputs.get("sigmas").get("file").asText()).floats();
                float[] actual = scheduler.sigmas();
                assertThat(actual).as("sigmas length").hasSameSizeAs(expected);
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) actual[i]).as("sigma[%d]", i)
                            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-6 * Math.abs(expected[i]) + 1e-12));
                }
            } else {
                assertThat(scheduler.sigmas()).as("sigmas").isNull();
            }
            double initSigma = outputs.get("init_noise_sigma").asDouble();
            assertThat((double) scheduler.initNoiseSigma()).as("init_noise_sigma")
                    .isCloseTo(initSigma, org.assertj.core.data.Offset.offset(1e-6 * initSigma));
            assertThat(scheduler.order()).as("order").isEqualTo(outputs.get("order").asInt());

            Fixtures.Npy sample0 = Fixtures.npy(inputs.get("sample0").get("file").asText());
            Fixtures.Npy modelOutputs = Fixtures.npy(inputs.get("model_outputs").get("file").asText());
            Fixtures.Npy scaledRef = Fixtures.npy(outputs.get("scaled_model_inputs").get("file").asText());
            Fixtures.Npy prevRef = Fixtures.npy(outputs.get("prev_samples").get("file").asText());
            Fixtures.Npy stepNoise = inputs.has("step_noise")
                    ? Fixtures.npy(inputs.get("step_noise").get("file").asText()) : null;
            Shape shape = new Shape(sample0.shape());
            int total = scheduler.timesteps().length;
            assertThat(modelOutputs.shape()[0]).isEqualTo(total);

            Deque<Integer> drawn = new ArrayDeque<>();
            Comparison worst = new Comparison();
            NDArray sample = manager.create(sample0.floats(), shape).mul(scheduler.initNoiseSigma());
            for (int i = 0; i < total; i++) {
                try (NDManager step = manager.newSubManager()) {
                    final int index = i;
                    Scheduler.NoiseSource noise = like -> {
                        assertThat(stepNoise).as("step %d drew noise but the case has none", index).isNotNull();
                        drawn.add(index);
                        return step.create(stepNoise.slice(index), shape);
                    };
                    NDArray current = sample;
                    current.attach(step);
                    NDArray scaled = scheduler.scaleModelInput(current, i);
                    worst.check(caseId + " scaled_model_inputs[" + i + "]", scaled.toFloatArray(), scaledRef.slice(i));
                    NDArray modelOutput = step.create(modelOutputs.slice(i), shape);
                    NDArray next = scheduler.step(modelOutput, i, current, noise);
                    assertThat(next.getManager()).as("result manager").isSameAs(step);
                    worst.check(caseId + " prev_samples[" + i + "]", next.toFloatArray(), prevRef.slice(i));
                    next.attach(manager);
                    sample = next;
                }
            }
            sample.close();
            assertThat(drawn).as("noise draws (manifest params.noise_draws)")
                    .hasSize(c.get("params").get("noise_draws").size());
            System.out.printf("%-34s steps=%d worst max|d|/(1e-4*max|ref|+1e-5)=%.3f worst relL2=%.3e%n", caseId,
                    total, worst.worstRatio, worst.worstRelL2);
        }
    }

    /** Per-step tensor comparison with the brief's tolerance, tracking the worst figures. */
    static final class Comparison {
        double worstRatio;
        double worstRelL2;

        void check(String what, float[] actual, float[] expected) {
            assertThat(actual).as(what + " size").hasSameSizeAs(expected);
            double maxRef = 0;
            double maxDiff = 0;
            double diff2 = 0;
            double ref2 = 0;
            for (int k = 0; k < expected.length; k++) {
                maxRef = Math.max(maxRef, Math.abs(expected[k]));
                double d = Math.abs((double) actual[k] - expected[k]);
                maxDiff = Math.max(maxDiff, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
                diff2 += d * d;
                ref2 += (double) expected[k] * expected[k];
            }
            double tolerance = 1e-4 * maxRef + 1e-5;
            worstRatio = Math.max(worstRatio, maxDiff / tolerance);
            worstRelL2 = Math.max(worstRelL2, Math.sqrt(diff2 / Math.max(ref2, 1e-30)));
            assertThat(maxDiff).as(what + ": max|Δ| (max|ref| = " + maxRef + ")").isLessThanOrEqualTo(tolerance);
        }
    }
}
