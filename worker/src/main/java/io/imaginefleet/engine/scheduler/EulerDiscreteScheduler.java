package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * Euler sampler in sigma space (diffusers {@code EulerDiscreteScheduler}, Karras et al. 2022 algorithm 2 with
 * {@code s_churn = 0}, so it never draws noise). Optional Karras sigmas (with {@code sigma_min}/{@code sigma_max})
 * and continuous v-prediction timesteps ({@code timestep_type=continuous}).
 */
public final class EulerDiscreteScheduler extends SigmaScheduler {

    static final SchedulerConfig DEFAULTS = SchedulerConfig.of("""
            {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
             "prediction_type": "epsilon", "interpolation_type": "linear", "use_karras_sigmas": false,
             "timestep_spacing": "linspace", "timestep_type": "discrete", "steps_offset": 0,
             "rescale_betas_zero_snr": false}""");

    /** Builds the scheduler from a (possibly partial) config; missing settings take diffusers' defaults. */
    public EulerDiscreteScheduler(SchedulerConfig config) {
        super("EulerDiscreteScheduler", config, DEFAULTS);
        requirePrediction(true);
        SchedulerConfig.require("linear".equals(this.config.interpolationType()), name, "interpolation_type",
                this.config.interpolationType());
        String type = this.config.timestepType();
        SchedulerConfig.require("discrete".equals(type) || "continuous".equals(type), name, "timestep_type", type);
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        float[] ts = NoiseSchedule.continuousTimesteps(config.timestepSpacing(), config.numTrainTimesteps(),
                numInferenceSteps, config.stepsOffset(), name);
        double[] sig = interpolatedSigmas(ts);
        if (config.useKarrasSigmas()) {
            double min = config.sigmaMin() != null ? config.sigmaMin() : sig[sig.length - 1];
            double max = config.sigmaMax() != null ? config.sigmaMax() : sig[0];
            sig = NoiseSchedule.karrasSigmas(min, max, numInferenceSteps);
            float[] logSigmas = schedule.logTrainingSigmas();
            ts = new float[sig.length];
            for (int i = 0; i < sig.length; i++) {
                ts[i] = (float) NoiseSchedule.sigmaToT(sig[i], logSigmas);
            }
        }
        float[] withZero = withZero(sig);
        if ("continuous".equals(config.timestepType()) && "v_prediction".equals(config.predictionType())) {
            ts = new float[sig.length];
            for (int i = 0; i < sig.length; i++) {
                ts[i] = 0.25f * (float) Math.log(withZero[i]);
            }
        }
        this.timesteps = ts;
        this.sigmas = withZero;
        this.lastStepIndex = -1;
    }

    @Override
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NoiseSource noise) {
        float sigma = sigmaAt(stepIndex);
        float sigmaHat = sigma; // gamma = 0 (s_churn = 0)
        try (StepScope s = new StepScope(sample)) {
            NDArray x0 = predictOriginal(s, modelOutput, sample, sigmaHat);
            NDArray derivative = s.use(sample).sub(x0).div(sigmaHat);
            float dt = sigmas[stepIndex + 1] - sigmaHat;
            return s.keep(s.use(sample).add(derivative.mul(dt)));
        }
    }
}
