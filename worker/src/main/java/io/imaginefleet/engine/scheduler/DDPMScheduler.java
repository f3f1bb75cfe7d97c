package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * Denoising diffusion probabilistic models (diffusers {@code DDPMScheduler}): ancestral sampling with variance
 * {@code fixed_small}, {@code fixed_small_log} or {@code fixed_large}; {@code clip_sample}; epsilon /
 * v_prediction / sample. Draws one noise tensor per step except at {@code t = 0}. Also the low-resolution noise
 * scheduler of the x4 upscaler ({@link #addNoise}).
 */
public final class DDPMScheduler extends AlphaProductScheduler {

    static final SchedulerConfig DEFAULTS = SchedulerConfig.of("""
            {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
             "variance_type": "fixed_small", "clip_sample": true, "prediction_type": "epsilon",
             "thresholding": false, "clip_sample_range": 1.0, "timestep_spacing": "leading", "steps_offset": 0,
             "rescale_betas_zero_snr": false}""");

    /** Builds the scheduler from a (possibly partial) config; missing settings take diffusers' defaults. */
    public DDPMScheduler(SchedulerConfig config) {
        super("DDPMScheduler", config, DEFAULTS);
        String variance = this.config.varianceType();
        SchedulerConfig.require("fixed_small".equals(variance) || "fixed_small_log".equals(variance)
                || "fixed_large".equals(variance), name, "variance_type", variance);
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        this.timesteps = NoiseSchedule.discreteTimesteps(config.timestepSpacing(), config.numTrainTimesteps(),
                numInferenceSteps, config.stepsOffset(), name);
        this.numInferenceSteps = numInferenceSteps;
    }

    @Override
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NoiseSource noise) {
        long t = timestepAt(stepIndex);
        long prevT = t - config.numTrainTimesteps() / numInferenceSteps;
        float alphaProd = schedule.alphaCumprod((int) t);
        float alphaProdPrev = prevT >= 0 ? schedule.alphaCumprod((int) prevT) : 1f;
        float betaProd = 1f - alphaProd;
        float betaProdPrev = 1f - alphaProdPrev;
        float currentAlpha = alphaProd / alphaProdPrev;
        float currentBeta = 1f - currentAlpha;
        try (StepScope s = new StepScope(sample)) {
            NDArray x0 = clipIfConfigured(predictOriginal(s, modelOutput, sample, alphaProd));
            float x0Coeff = ((float) Math.sqrt(alphaProdPrev) * currentBeta) / betaProd;
            float sampleCoeff = (float) Math.sqrt(currentAlpha) * betaProdPrev / betaProd;
            NDArray prev = x0.mul(x0Coeff).add(s.use(sample).mul(sampleCoeff));
            if (t > 0) {
                if (noise == null) {
                    throw new IllegalArgumentException(name + ".step: a noise source is required for t > 0");
                }
                NDArray drawn = s.use(noise.next(sample));
                prev = prev.add(drawn.mul(noiseScale(alphaProd, alphaProdPrev, currentBeta)));
            }
            return s.keep(prev);
        }
    }

    /** The factor of the step's noise draw: the standard deviation of the configured variance. */
    private float noiseScale(float alphaProd, float alphaProdPrev, float currentBeta) {
        float variance = (1f - alphaProdPrev) / (1f - alphaProd) * currentBeta;
        variance = Math.max(variance, 1e-20f);
        return switch (config.varianceType()) {
            case "fixed_small_log" -> (float) Math.exp(0.5f * (float) Math.log(variance));
            case "fixed_large" -> (float) Math.sqrt(currentBeta);
            default -> (float) Math.sqrt(variance);
        };
    }
}
