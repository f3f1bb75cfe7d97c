package io.imaginefleet.engine.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Factory semantics, add_noise, prediction types, spacing rules, scoping and error handling. */
class SchedulersTest {

    private static final Map<String, String> FIXTURE_VARIANT = Map.of("ddim", "ddim", "pndm", "pndm", "lms", "lms",
            "euler", "euler", "euler-a", "euler_ancestral", "dpmpp-2m", "dpmpp_2m", "dpmpp-2m-karras",
            "dpmpp_2m_karras", "ddpm", "ddpm");
    private static final Shape SHAPE = new Shape(1, 4, 8, 8);
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static Path tinySdSchedulerConfig() {
        return Fixtures.dir().resolve("models/tiny-sd/scheduler/scheduler_config.json");
    }

    private static float[] fixtureArray(String caseId, String output) {
        JsonNode c = Fixtures.schedulerCase(caseId);
        return Fixtures.npy(c.get("outputs").get(output).get("file").asText()).floats();
    }

    /** Cls.from_config(tiny-sd PNDM config, **overrides) is how every fixture case was built. */
    @ParameterizedTest
    @ValueSource(strings = {"ddim", "pndm", "lms", "euler", "euler-a", "dpmpp-2m", "dpmpp-2m-karras", "ddpm"})
    void createFromModelConfigMatchesTheFixtureSchedule(String name) {
        String caseId = "scheduler__" + FIXTURE_VARIANT.get(name) + "__N25";
        try (Scheduler s = Schedulers.create(name, tinySdSchedulerConfig())) {
            s.setTimesteps(25);
            assertThat(s.timesteps()).containsExactly(fixtureArray(caseId, "timesteps"));
            JsonNode outputs = Fixtures.schedulerCase(caseId).get("outputs");
            assertThat((double) s.initNoiseSigma()).isCloseTo(outputs.get("init_noise_sigma").asDouble(),
                    offset(1e-5));
            if (outputs.has("sigmas")) {
                float[] expected = fixtureArray(caseId, "sigmas");
                float[] actual = s.sigmas();
                for (int i = 0; i < expected.length; i++) {
                    assertThat(actual[i]).isCloseTo(expected[i], offset(1e-6f * expected[i] + 1e-12f));
                }
            }
        }
    }

    @Test
    void createDropsSettingsTheBaseConfigOnlyTookAsDefaults() {
        // The DDIM case's resolved config says timestep_spacing "leading", but only as a DDIM default
        // (_use_default_values): Euler must then use its own default, linspace.
        JsonNode ddim = Fixtures.schedulerCase("scheduler__ddim__N10").get("scheduler_config");
        try (Scheduler euler = Schedulers.create("euler", ddim)) {
            euler.setTimesteps(10);
            assertThat(euler.timesteps()).containsExactly(fixtureArray("scheduler__euler__N10", "timesteps"));
        }
        ObjectNode explicit = ((ObjectNode) ddim.deepCopy());
        explicit.remove("_use_default_values");
        try (Scheduler euler = Schedulers.create("euler", explicit)) {
            euler.setTimesteps(10);
            assertThat(euler.timesteps()).containsExactly(901f, 801f, 701f, 601f, 501f, 401f, 301f, 201f, 101f, 1f);
            // "leading" spacing scales the initial noise by sqrt(sigma_max² + 1)
            float max = euler.sigmas()[0];
            assertThat(euler.initNoiseSigma()).isCloseTo((float) Math.sqrt(max * max + 1), offset(1e-5f));
        }
    }

    @Test
    void timestepSpacingsFollowDiffusers() {
        assertThat(NoiseSchedule.discreteTimesteps("leading", 1000, 10, 1, "t"))
                .containsExactly(901, 801, 701, 601, 501, 401, 301, 201, 101, 1);
        assertThat(NoiseSchedule.discreteTimesteps("trailing", 1000, 10, 0, "t"))
                .containsExactly(999, 899, 799, 699, 599, 499, 399, 299, 199, 99);
        assertThat(NoiseSchedule.discreteTimesteps("linspace", 1000, 10, 0, "t"))
                .containsExactly(999, 888, 777, 666, 555, 444, 333, 222, 111, 0);
        // trailing with a non-integer ratio: np.round(np.arange(1000, 0, -1000/3)) - 1
        assertThat(NoiseSchedule.discreteTimesteps("trailing", 1000, 3, 0, "t")).containsExactly(999, 666, 332);
        // DPM-Solver spaces N+1 points and drops the last; .round() is half-to-even (499.5 -> 500)
        assertThat(NoiseSchedule.dpmTimesteps("linspace", 1000, 1000, 10, 0, "t"))
                .containsExactly(999, 899, 799, 699, 599, 500, 400, 300, 200, 100);
        assertThat(NoiseSchedule.continuousTimesteps("linspace", 1000, 4, 0, "t")).containsExactly(999f, 666f, 333f, 0f);
    }

    @Test
    void cosineScheduleMatchesBetasForAlphaBar() {
        SchedulerConfig config = SchedulerConfig.of("{\"beta_schedule\": \"squaredcos_cap_v2\"}")
                .withDefaults(DDIMScheduler.DEFAULTS);
        NoiseSchedule schedule = NoiseSchedule.of(config, "t", false);
        // values from betas_for_alpha_bar in float64, cast to float32, cumulative product
        assertThat(schedule.beta(0)).isEqualTo(4.1284224e-05f);
        assertThat(schedule.beta(500)).isEqualTo(0.0031556915f);
        assertThat(schedule.beta(999)).isEqualTo(0.999f);
        assertThat(schedule.alphaCumprod(500)).isCloseTo(0.49228504f, offset(1e-7f));
    }

    @Test
    void zeroTerminalSnrRescaleEndsAtZero() {
        SchedulerConfig config = SchedulerConfig.of("{\"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085,"
                + " \"beta_end\": 0.012, \"rescale_betas_zero_snr\": true}").withDefaults(DDIMScheduler.DEFAULTS);
        NoiseSchedule plain = NoiseSchedule.of(config, "t", false);
        assertThat(plain.alphaCumprod(999)).isEqualTo(0f);
        assertThat(plain.alphaCumprod(0)).isCloseTo(1f - 0.00085f, offset(1e-6f));
        assertThat(NoiseSchedule.of(config, "t", true).alphaCumprod(999)).isEqualTo((float) Math.pow(2, -24));
    }

    @Test
    void lmsQuadratureIntegratesCubicsExactly() {
        double value = Quadrature.integrate(x -> x * x * x - 2 * x + 1, 14.6, 0.03, 1e-4);
        double exact = (Math.pow(0.03, 4) - Math.pow(14.6, 4)) / 4 - (0.03 * 0.03 - 14.6 * 14.6) + (0.03 - 14.6);
        assertThat(value).isCloseTo(exact, offset(1e-9 * Math.abs(exact)));
        // a non-polynomial integrand needs the adaptive bisection
        assertThat(Quadrature.integrate(Math::sqrt, 0, 1, 1e-8)).isCloseTo(2.0 / 3, offset(1e-8));
    }

    // ------------------------------------------------------------------------------------------------- add_noise

    @Test
    void ddpmStyleAddNoiseUsesAlphaCumprodOfTheTimestep() {
        // ᾱ(t) = 1/(1+σ(t)²) with σ from the Euler fixture at integer timesteps 888 and 0 (independent reference)
        float[] eulerSigmas = fixtureArray("scheduler__euler__N10", "sigmas");
        for (String name : new String[] {"ddim", "pndm", "ddpm"}) {
            try (Scheduler s = Schedulers.create(name, tinySdSchedulerConfig())) {
                checkAddNoise(s, 888f, 1 / Math.sqrt(1 + sq(eulerSigmas[1])), eulerSigmas[1] / Math.sqrt(1 + sq(eulerSigmas[1])));
                checkAddNoise(s, 0f, 1 / Math.sqrt(1 + sq(eulerSigmas[9])), eulerSigmas[9] / Math.sqrt(1 + sq(eulerSigmas[9])));
                assertThatThrownBy(() -> s.addNoise(manager.zeros(SHAPE), manager.zeros(SHAPE), 12.5f))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12.5");
                assertThatThrownBy(() -> s.addNoise(manager.zeros(SHAPE), manager.zeros(SHAPE), 1000f))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1000");
            }
        }
    }

    @Test
    void sigmaAddNoiseUsesTheSigmaOfTheTimestep() {
        float[] sigmas = fixtureArray("scheduler__euler__N10", "sigmas");
        for (String name : new String[] {"euler", "euler-a", "lms"}) {
            try (Scheduler s = Schedulers.create(name, tinySdSchedulerConfig())) {
                s.setTimesteps(10);
                checkAddNoise(s, 777f, 1, sigmas[2]);
                // outside the prepared schedule: the training sigma interpolated at t (here exactly at 888)
                s.setTimesteps(7);
                checkAddNoise(s, 888f, 1, sigmas[1]);
            }
        }
        // Karras: timesteps come from the sigma ramp, add_noise uses the ramp's sigma (not the training one)
        float[] karras = fixtureArray("scheduler__dpmpp_2m_karras__N10", "sigmas");
        try (Scheduler s = Schedulers.create("dpmpp-2m-karras", tinySdSchedulerConfig())) {
            s.setTimesteps(10);
            double alpha = 1 / Math.sqrt(1 + sq(karras[3]));
            checkAddNoise(s, s.timesteps()[3], alpha, karras[3] * alpha);
        }
    }

    private static void checkAddNoise(Scheduler s, float t, double expectedOriginalScale, double expectedNoiseScale) {
        try (NDManager step = manager.newSubManager()) {
            NDArray original = step.randomNormal(SHAPE);
            NDArray noise = step.randomNormal(SHAPE);
            NDArray noisy = s.addNoise(original, noise, t);
            assertThat(noisy.getManager()).isSameAs(step);
            float[] o = original.toFloatArray();
            float[] n = noise.toFloatArray();
            float[] actual = noisy.toFloatArray();
            for (int i = 0; i < o.length; i++) {
                double expected = expectedOriginalScale * o[i] + expectedNoiseScale * n[i];
                assertThat((double) actual[i]).as("t=%s element %d", t, i)
                        .isCloseTo(expected, offset(2e-6 * (Math.abs(expected) + expectedNoiseScale)));
            }
        }
    }

    private static double sq(double x) {
        return x * x;
    }

    // ------------------------------------------------------------------------------------------ prediction types

    /**
     * A model that predicts exactly (x0, eps) of its input must land on the exact deterministic marginal at the
     * next timestep, whichever parameterisation (epsilon / v_prediction / sample) it uses.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ddim", "pndm", "lms", "euler", "dpmpp-2m", "dpmpp-2m-karras"})
    void exactPredictionsReachTheExactMarginal(String name) {
        String[] types = name.equals("pndm") ? new String[] {"epsilon", "v_prediction"}
                : new String[] {"epsilon", "v_prediction", "sample"};
        for (String type : types) {
            ObjectNode base = (ObjectNode) Fixtures.schedulerCase("scheduler__ddim__N10").get("scheduler_config");
            base = base.deepCopy();
            base.remove("_use_default_values");
            base.remove("timestep_spacing");
            base.put("prediction_type", type);
            try (Scheduler s = Schedulers.create(name, base); NDManager step = manager.newSubManager()) {
                s.setTimesteps(10);
                NDArray x0 = step.randomNormal(SHAPE);
                NDArray eps = step.randomNormal(SHAPE);
                float[] sig = s.sigmas();
                double[] now = sig != null ? coefficients(sig[0]) : alphaSigma(s, s.timesteps()[0]);
                double[] next = sig != null ? coefficients(sig[1]) : alphaSigma(s, nextTimestep(s));
                boolean sigmaSpace = name.equals("lms") || name.equals("euler");
                // sample in the scheduler's space: k-diffusion samplers work on x_t/alpha_t = x0 + sigma*eps
                double scale = sigmaSpace ? 1 / now[0] : 1;
                NDArray xt = x0.mul(now[0] * scale).add(eps.mul(now[1] * scale));
                NDArray modelOutput = switch (type) {
                    case "epsilon" -> eps;
                    case "v_prediction" -> eps.mul(now[0]).sub(x0.mul(now[1]));
                    default -> x0;
                };
                NDArray prev = s.step(modelOutput, 0, xt, like -> {
                    throw new AssertionError("deterministic");
                });
                double nextScale = sigmaSpace ? 1 / next[0] : 1;
                NDArray expected = x0.mul(next[0] * nextScale).add(eps.mul(next[1] * nextScale));
                double maxDiff = prev.sub(expected).abs().max().getFloat();
                assertThat(maxDiff).as(name + " " + type).isLessThan(2e-5 * (1 + expected.abs().max().getFloat()));
            }
        }
    }

    /** (alpha_t, sigma_t) = (1/sqrt(1+σ²), σ/sqrt(1+σ²)) for a k-diffusion sigma. */
    private static double[] coefficients(double sigma) {
        double alpha = 1 / Math.sqrt(1 + sigma * sigma);
        return new double[] {alpha, sigma * alpha};
    }

    private static double[] alphaSigma(Scheduler s, float t) {
        double a = ((AlphaProductScheduler) s).schedule.alphaCumprod((int) t);
        return new double[] {Math.sqrt(a), Math.sqrt(1 - a)};
    }

    /** DDIM/PNDM step from t to t - 1000/N. */
    private static float nextTimestep(Scheduler s) {
        return s.timesteps()[0] - 100;
    }

    // ---------------------------------------------------------------------------------------------- scoping

    @ParameterizedTest
    @ValueSource(strings = {"ddim", "pndm", "lms", "euler", "euler-a", "dpmpp-2m", "dpmpp-2m-karras", "ddpm"})
    void stepLeavesOnlyItsResultInTheCallersManagerAndHistoryInItsOwn(String name) {
        try (Scheduler s = Schedulers.create(name, tinySdSchedulerConfig())) {
            s.setTimesteps(6);
            NDArray sample = manager.randomNormal(SHAPE);
            int steps = s.timesteps().length;
            for (int i = 0; i < steps; i++) {
                try (NDManager step = manager.newSubManager()) {
                    sample.attach(step);
                    NDArray modelOutput = step.randomNormal(SHAPE);
                    NDArray[] drawn = new NDArray[1];
                    NDArray scaled = s.scaleModelInput(sample, i);
                    NDArray next = s.step(modelOutput, i, sample, like -> drawn[0] = step.randomNormal(SHAPE));
                    List<NDArray> expected = new java.util.ArrayList<>(List.of(sample, modelOutput, scaled, next));
                    if (drawn[0] != null) {
                        expected.add(drawn[0]);
                    }
                    assertThat(step.getManagedArrays()).as("%s step %d: inputs, scaled, result (and noise)", name, i)
                            .containsExactlyInAnyOrderElementsOf(expected);
                    assertThat(next.isInfinite().any().getBoolean() || next.isNaN().any().getBoolean())
                            .as("%s step %d not finite", name, i).isFalse();
                    next.attach(manager);
                    sample = next;
                }
            }
            sample.close();
        }
    }

    /**
     * img2img: add noise at timesteps[start], then step from start to the end (multistep ones too). PNDM, LMS and
     * the stochastic samplers are only checked to run: as in diffusers, PNDM's counter treats the second call as the
     * repeated-timestep re-evaluation and LMS keeps its absolute order, so they are not exact from part-way.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ddim", "pndm", "lms", "euler", "euler-a", "dpmpp-2m", "dpmpp-2m-karras", "ddpm"})
    void runsCanStartPartWay(String name) {
        try (Scheduler s = Schedulers.create(name, tinySdSchedulerConfig()); NDManager run = manager.newSubManager()) {
            s.setTimesteps(10);
            int start = 4;
            float[] ts = s.timesteps();
            NDArray x0 = run.randomNormal(SHAPE);
            NDArray noise = run.randomNormal(SHAPE);
            NDArray sample = s.addNoise(x0, noise, ts[start]);
            for (int i = start; i < ts.length; i++) {
                NDArray eps = noise; // an exact epsilon model keeps the run on the data point
                NDArray input = s.scaleModelInput(sample, i);
                assertThat(input.getShape()).isEqualTo(SHAPE);
                sample = s.step(eps, i, sample, like -> run.zeros(SHAPE));
            }
            assertThat(sample.isNaN().any().getBoolean() || sample.isInfinite().any().getBoolean()).isFalse();
            NDArray expected = null;
            if (name.equals("euler") || name.startsWith("dpmpp")) {
                expected = x0; // final sigma 0: an exact noise prediction lands on x0
            } else if (name.equals("ddim")) {
                // set_alpha_to_one=false: the last step lands on the marginal of alphas_cumprod[0]
                double a0 = ((AlphaProductScheduler) s).schedule.alphaCumprod(0);
                expected = x0.mul(Math.sqrt(a0)).add(noise.mul(Math.sqrt(1 - a0)));
            }
            if (expected != null) {
                double err = sample.sub(expected).abs().max().getFloat();
                assertThat(err).as(name + ": exact noise prediction from step " + start).isLessThan(1e-4);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ errors

    @Test
    void badInputGetsClearErrors() {
        assertThatThrownBy(() -> Schedulers.create("heun", tinySdSchedulerConfig()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heun").hasMessageContaining("ddim");
        ObjectNode unknown = Fixtures.JSON.createObjectNode().put("_class_name", "KarrasVeScheduler");
        assertThatThrownBy(() -> Schedulers.fromConfig(unknown))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KarrasVeScheduler");
        ObjectNode thresholding = Fixtures.JSON.createObjectNode().put("_class_name", "DDIMScheduler")
                .put("thresholding", true);
        assertThatThrownBy(() -> Schedulers.fromConfig(thresholding))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("thresholding");
        ObjectNode spacing = Fixtures.JSON.createObjectNode().put("_class_name", "EulerDiscreteScheduler")
                .put("timestep_spacing", "quadratic");
        assertThatThrownBy(() -> Schedulers.fromConfig(spacing).setTimesteps(10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestep_spacing");
        ObjectNode betas = Fixtures.JSON.createObjectNode().put("_class_name", "DDPMScheduler")
                .put("beta_schedule", "sigmoid");
        assertThatThrownBy(() -> Schedulers.fromConfig(betas))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beta_schedule");
        assertThatThrownBy(() -> Schedulers.fromConfig(Fixtures.dir().resolve("no/such/scheduler_config.json")))
                .isInstanceOf(io.imaginefleet.engine.io.ModelFormatException.class).hasMessageContaining("scheduler_config.json");

        try (Scheduler s = Schedulers.create("dpmpp-2m", tinySdSchedulerConfig())) {
            assertThatThrownBy(() -> s.step(manager.zeros(SHAPE), 0, manager.zeros(SHAPE), null))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("setTimesteps");
            assertThatThrownBy(() -> s.setTimesteps(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("num_inference_steps");
            s.setTimesteps(5);
            s.step(manager.zeros(SHAPE), 0, manager.zeros(SHAPE), null).close();
            assertThatThrownBy(() -> s.step(manager.zeros(SHAPE), 2, manager.zeros(SHAPE), null))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("in order");
            assertThatThrownBy(() -> s.scaleModelInput(manager.zeros(SHAPE), 5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("step index 5");
        }
    }
}
