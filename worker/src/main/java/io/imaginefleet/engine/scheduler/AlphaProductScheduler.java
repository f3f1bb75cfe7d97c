package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * Base of the schedulers that work on integer training timesteps and the cumulative alpha product (DDIM, PNDM,
 * DDPM): identity input scaling, unit initial noise, DDPM-style {@code add_noise}.
 */
abstract class AlphaProductScheduler implements Scheduler {

    protected final String name;
    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    protected long[] timesteps;
    protected int numInferenceSteps;

    protected AlphaProductScheduler(String name, SchedulerConfig config, SchedulerConfig defaults) {
        this.name = name;
        this.config = config.withDefaults(defaults);
        this.schedule = NoiseSchedule.of(this.config, name, false);
        String prediction = this.config.predictionType();
        SchedulerConfig.require("epsilon".equals(prediction) || "v_prediction".equals(prediction)
                || "sample".equals(prediction), name, "prediction_type", prediction);
        SchedulerConfig.require(!Boolean.TRUE.equals(this.config.thresholding()), name, "thresholding", true);
    }

    /** The resolved config (class defaults applied). */
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public float[] timesteps() {
        requireTimesteps();
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = timesteps[i];
        }
        return out;
    }

    @Override
    public float[] sigmas() {
        return null;
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public int order() {
        return 1;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, int stepIndex) {
        timestepAt(stepIndex);
        return sample.duplicate();
    }

    /** {@code sqrt(ᾱ_t)·x0 + sqrt(1-ᾱ_t)·noise} for an integer training timestep. */
    @Override
    public NDArray addNoise(NDArray original, NDArray noise, float timestep) {
        if (timestep != Math.rint(timestep) || timestep < 0 || timestep >= schedule.numTrainTimesteps()) {
            throw new IllegalArgumentException(name + ".addNoise: timestep " + timestep
                    + " is not an integer training timestep in [0, " + (schedule.numTrainTimesteps() - 1) + "]");
        }
        float alphaProd = schedule.alphaCumprod((int) timestep);
        float sqrtAlpha = (float) Math.sqrt(alphaProd);
        float sqrtOneMinus = (float) Math.sqrt(1f - alphaProd);
        try (StepScope s = new StepScope(original)) {
            NDArray x = s.use(original).mul(sqrtAlpha);
            return s.keep(x.add(s.use(noise).mul(sqrtOneMinus)));
        }
    }

    /** The training timestep of step {@code stepIndex}. */
    protected long timestepAt(int stepIndex) {
        requireTimesteps();
        if (stepIndex < 0 || stepIndex >= timesteps.length) {
            throw new IllegalArgumentException(name + ": step index " + stepIndex + " is outside [0, "
                    + (timesteps.length - 1) + "]");
        }
        return timesteps[stepIndex];
    }

    protected void requireTimesteps() {
        if (timesteps == null) {
            throw new IllegalStateException(name + ": setTimesteps must be called first");
        }
    }

    /** x0 from the model output for prediction types epsilon / v_prediction / sample (not clipped). */
    protected NDArray predictOriginal(StepScope s, NDArray modelOutput, NDArray sample, float alphaProd) {
        float betaProd = 1f - alphaProd;
        float sqrtAlpha = (float) Math.sqrt(alphaProd);
        float sqrtBeta = (float) Math.sqrt(betaProd);
        NDArray x0 = switch (config.predictionType()) {
            case "epsilon" -> s.use(sample).sub(s.use(modelOutput).mul(sqrtBeta)).div(sqrtAlpha);
            case "v_prediction" -> s.use(sample).mul(sqrtAlpha).sub(s.use(modelOutput).mul(sqrtBeta));
            default -> s.use(modelOutput).duplicate();
        };
        return x0;
    }

    /** {@code x0.clamp(-clip_sample_range, clip_sample_range)} when {@code clip_sample} is set. */
    protected NDArray clipIfConfigured(NDArray x0) {
        if (Boolean.TRUE.equals(config.clipSample())) {
            double range = config.clipSampleRange();
            return x0.clip(-range, range);
        }
        return x0;
    }
}
