package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;

/**
 * A diffusion sampler, as diffusers' {@code SchedulerMixin}: built from {@code scheduler_config.json}, one class
 * per algorithm. Index-based: callers walk {@code i = 0 .. timesteps().length-1}.
 *
 * <p>Multistep schedulers keep copies of earlier model outputs in a manager of their own between steps; they are
 * freed by the next {@link #setTimesteps} and by {@link #close()}.
 *
 * <p>All arrays returned are attached to the manager of the {@code sample} argument (never to a manager the
 * scheduler owns), so a pipeline's per-step scope frees them.
 */
public interface Scheduler extends AutoCloseable {

    /** Prepares {@code numInferenceSteps} steps (diffusers' {@code set_timesteps}). */
    void setTimesteps(int numInferenceSteps);

    /** The model timesteps of the prepared schedule, as diffusers' {@code scheduler.timesteps} (float for LMS/Euler). */
    float[] timesteps();

    /** The sigma schedule where the algorithm has one (length timesteps+1), otherwise {@code null}. */
    float[] sigmas();

    /** Scale of the initial noise ({@code init_noise_sigma}). */
    float initNoiseSigma();

    /** Number of model evaluations the algorithm consumes per returned sample (diffusers' {@code order}). */
    int order();

    /** {@code scale_model_input(sample, timesteps()[stepIndex])}. */
    NDArray scaleModelInput(NDArray sample, int stepIndex);

    /**
     * {@code step(modelOutput, timesteps()[stepIndex], sample).prev_sample}. {@code noise} supplies the draws of
     * stochastic samplers (Euler ancestral, DDPM); deterministic ones never call it.
     */
    NDArray step(NDArray modelOutput, int stepIndex, NDArray sample, NoiseSource noise);

    /** {@code add_noise(original, noise, timestep)} for an arbitrary (integer or float) model timestep. */
    NDArray addNoise(NDArray original, NDArray noise, float timestep);

    /** Frees the history a multistep scheduler keeps between steps (no-op for the others). */
    @Override
    default void close() {
    }

    /** Supplies Gaussian noise shaped like a template array; a seeded generator or a queue of given tensors. */
    @FunctionalInterface
    interface NoiseSource {
        NDArray next(NDArray like);
    }
}
