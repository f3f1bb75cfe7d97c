package io.imaginefleet.engine.pipeline;

import io.imaginefleet.engine.scheduler.Scheduler;

/**
 * Settings every pipeline run shares.
 *
 * @param scheduler a fresh scheduler (the pipeline calls {@code setTimesteps(steps)})
 * @param steps     {@code num_inference_steps}
 * @param guidance  classifier-free guidance scale; {@code <= 1} means no unconditional pass
 * @param stepNoise draws of stochastic samplers (Euler ancestral, DDPM)
 * @param observer  sees the latents after every step
 * @param progress  called after every step
 */
public record Denoising(Scheduler scheduler, int steps, double guidance, Scheduler.NoiseSource stepNoise,
                        Denoiser.Observer observer, ProgressListener progress) {

    public Denoising {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
        observer = observer == null ? Denoiser.Observer.NONE : observer;
        progress = progress == null ? ProgressListener.NONE : progress;
    }

    /** Whether classifier-free guidance applies. */
    public boolean guided() {
        return guidance > 1.0;
    }
}
