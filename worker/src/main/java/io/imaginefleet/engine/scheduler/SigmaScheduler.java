package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * Base of the k-diffusion style schedulers that step in sigma space (LMS, Euler, Euler ancestral): inputs are
 * scaled by {@code 1/sqrt(sigma²+1)}, the initial noise by the largest sigma, and {@code add_noise} adds
 * {@code noise·sigma(t)}.
 */
abstract class SigmaScheduler implements Scheduler {

    protected final String name;
    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    protected float[] timesteps;
    /** {@code timesteps.length + 1} sigmas, the last one 0. */
    protected float[] sigmas;
    protected int lastStepIndex = -1;

    protected SigmaScheduler(String name, SchedulerConfig config, SchedulerConfig defaults) {
        this.name = name;
        this.config = config.withDefaults(defaults);
        this.schedule = NoiseSchedule.of(this.config, name, true);
    }

    /** The resolved config (class defaults applied). */
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public float[] timesteps() {
        requireTimesteps();
        return timesteps.clone();
    }

    @Override
    public float[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        float max = 0f;
        float[] source = sigmas != null ? sigmas : schedule.trainingSigmas();
        for (float s : source) {
            max = Math.max(max, s);
        }
        String spacing = config.timestepSpacing();
        if ("linspace".equals(spacing) || "trailing".equals(spacing)) {
            return max;
        }
        return (float) Math.sqrt(max * max + 1f);
    }

    @Override
    public int order() {
        return 1;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, int stepIndex) {
        float sigma = sigmaAt(stepIndex);
        float scale = (float) Math.sqrt(sigma * sigma + 1f);
        try (StepScope s = new StepScope(sample)) {
            return s.keep(s.use(sample).div(scale));
        }
    }

    /**
     * {@code original + noise·sigma}: the sigma of {@code timestep} in the prepared schedule (the second match
     * when it occurs twice, as diffusers' {@code index_for_timestep}); a timestep outside the schedule (or before
     * {@link #setTimesteps}) takes the training sigma interpolated at it.
     */
    @Override
    public NDArray addNoise(NDArray original, NDArray noise, float timestep) {
        float sigma = sigmaOfTimestep(timestep);
        try (StepScope s = new StepScope(original)) {
            return s.keep(s.use(original).add(s.use(noise).mul(sigma)));
        }
    }

    protected float sigmaOfTimestep(float timestep) {
        return schedule.sigmaOfTimestep(timestep, timesteps, sigmas, name);
    }

    /** {@code sigmas[stepIndex]}, checking the index. */
    protected float sigmaAt(int stepIndex) {
        requireTimesteps();
        if (stepIndex < 0 || stepIndex >= timesteps.length) {
            throw new IllegalArgumentException(name + ": step index " + stepIndex + " is outside [0, "
                    + (timesteps.length - 1) + "]");
        }
        return sigmas[stepIndex];
    }

    /**
     * Multistep samplers must see the steps in order after the first one (which may be any index: img2img starts
     * part-way); fails with a clear message otherwise.
     */
    protected void checkInOrder(int stepIndex) {
        if (lastStepIndex >= 0 && stepIndex != lastStepIndex + 1) {
            throw new IllegalStateException(name + " keeps state between steps: after the first step steps must run"
                    + " in order; got " + stepIndex + " after " + lastStepIndex);
        }
        lastStepIndex = stepIndex;
    }

    protected void requireTimesteps() {
        if (timesteps == null) {
            throw new IllegalStateException(name + ": setTimesteps must be called first");
        }
    }

    /** Interpolated training sigmas at the given timesteps (float64, as {@code np.interp}). */
    protected double[] interpolatedSigmas(float[] ts) {
        return NoiseSchedule.interpIndexed(NoiseSchedule.toDouble(ts),
                NoiseSchedule.toDouble(schedule.trainingSigmas()));
    }

    /** x0 for epsilon / v_prediction / sample at {@code sigma} (k-diffusion parameterisation). */
    protected NDArray predictOriginal(StepScope s, NDArray modelOutput, NDArray sample, float sigma) {
        return switch (config.predictionType()) {
            case "epsilon" -> s.use(sample).sub(s.use(modelOutput).mul(sigma));
            case "v_prediction" -> {
                float s2 = sigma * sigma + 1f;
                float c = -sigma / (float) Math.sqrt(s2);
                yield s.use(modelOutput).mul(c).add(s.use(sample).div(s2));
            }
            default -> s.use(modelOutput).duplicate();
        };
    }

    protected void requirePrediction(boolean allowSample) {
        String p = config.predictionType();
        SchedulerConfig.require("epsilon".equals(p) || "v_prediction".equals(p) || (allowSample && "sample".equals(p)),
                name, "prediction_type", p);
    }

    protected static float[] withZero(double[] sigmas) {
        float[] out = new float[sigmas.length + 1];
        for (int i = 0; i < sigmas.length; i++) {
            out[i] = (float) sigmas[i];
        }
        return out;
    }
}
