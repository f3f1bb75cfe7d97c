package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * Denoising diffusion implicit models (diffusers {@code DDIMScheduler}, deterministic: eta 0). Supports
 * epsilon / v_prediction / sample, {@code clip_sample}, {@code set_alpha_to_one}, all timestep spacings.
 */
public final class DDIMScheduler extends AlphaProductScheduler {

    static final SchedulerConfig DEFAULTS = SchedulerConfig.of("""
            {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
             "clip_sample": true, "set_alpha_to_one": true, "steps_offset": 0, "prediction_type": "epsilon",
             "thresholding": false, "clip_sample_range": 1.0, "timestep_spacing": "leading",
             "rescale_betas_zero_snr": false}""");

    private final float finalAlphaCumprod;

    /** Builds the scheduler from a (possibly partial) config; missing settings take diffusers' defaults. */
    public DDIMScheduler(SchedulerConfig config) {
        super("DDIMScheduler", config, DEFAULTS);
        this.finalAlphaCumprod = this.config.setAlphaToOne() ? 1f : schedule.alphaCumprod(0);
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
        float alphaProdPrev = prevT >= 0 ? schedule.alphaCumprod((int) prevT) : finalAlphaCumprod;
        float betaProd = 1f - alphaProd;
        float sqrtAlpha = (float) Math.sqrt(alphaProd);
        float sqrtBeta = (float) Math.sqrt(betaProd);
        try (StepScope s = new StepScope(sample)) {
            NDArray x0 = predictOriginal(s, modelOutput, sample, alphaProd);
            NDArray eps;
            switch (config.predictionType()) {
                case "epsilon" -> eps = s.use(modelOutput);
                case "v_prediction" -> eps = s.use(modelOutput).mul(sqrtAlpha).add(s.use(sample).mul(sqrtBeta));
                default -> eps = s.use(sample).sub(x0.mul(sqrtAlpha)).div(sqrtBeta);
            }
            x0 = clipIfConfigured(x0);
            float direction = (float) Math.sqrt(1f - alphaProdPrev);
            NDArray prev = x0.mul((float) Math.sqrt(alphaProdPrev)).add(eps.mul(direction));
            return s.keep(prev);
        }
    }
}
