package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * Ancestral Euler sampler (diffusers {@code EulerAncestralDiscreteScheduler}): each step goes down to
 * {@code sigma_down} deterministically and adds fresh noise of scale {@code sigma_up}; draws one noise tensor per
 * step (the last one is multiplied by 0). epsilon and v_prediction.
 */
public final class EulerAncestralDiscreteScheduler extends SigmaScheduler {

    static final SchedulerConfig DEFAULTS = SchedulerConfig.of("""
            {"num_train_timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
             "prediction_type": "epsilon", "timestep_spacing": "linspace", "steps_offset": 0,
             "rescale_betas_zero_snr": false}""");

    /** Builds the scheduler from a (possibly partial) config; missing settings take diffusers' defaults. */
    public EulerAncestralDiscreteScheduler(SchedulerConfig config) {
        super("EulerAncestralDiscreteScheduler", config, DEFAULTS);
        requirePrediction(false);
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        float[] ts = NoiseSchedule.continuousTimesteps(config.timestepSpacing(), config.numTrainTimesteps(),
                numInferenceSteps, config.stepsOffset(), name);
        this.timesteps = ts;
        this.sigmas = withZero(interpolatedSigmas(ts));
        this.lastStepIndex = -1;
    }

    @Override
    public NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NoiseSource noise) {
        float sigma = sigmaAt(stepIndex);
        if (noise == null) {
            throw new IllegalArgumentException(name + ".step: a noise source is required");
        }
        float from = sigmas[stepIndex];
        float to = sigmas[stepIndex + 1];
        float sigmaUp = (float) Math.sqrt(to * to * (from * from - to * to) / (from * from));
        float sigmaDown = (float) Math.sqrt(to * to - sigmaUp * sigmaUp);
        try (StepScope s = new StepScope(sample)) {
            NDArray x0 = predictOriginal(s, modelOutput, sample, sigma);
            NDArray derivative = s.use(sample).sub(x0).div(sigma);
            float dt = sigmaDown - sigma;
            NDArray prev = s.use(sample).add(derivative.mul(dt));
            NDArray drawn = s.use(noise.next(modelOutput));
            return s.keep(prev.add(drawn.mul(sigmaUp)));
        }
    }
}
