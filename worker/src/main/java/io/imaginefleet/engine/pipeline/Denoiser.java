package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.scheduler.Scheduler;

/**
 * The denoising loop shared by every pipeline (diffusers' {@code for i, t in enumerate(timesteps)}): scale the
 * latents, double them for classifier-free guidance (one batched UNet pass over {@code cat([negative, positive])},
 * {@code noise = u + g*(c-u)}), let the pipeline extend the UNet input (inpaint mask channels, upscaler low-res
 * image), scheduler step, then the pipeline's after-step hook (mask blends). Each step runs in its own
 * {@link NDManager} scope that is closed at the end of the step; only the new latents survive it.
 */
public final class Denoiser {

    /** Extends the (already scaled and CFG-doubled) UNet input; arrays made here must live in {@code step}. */
    @FunctionalInterface
    public interface ModelInput {
        NDArray build(NDArray scaledBatch, NDManager step);

        ModelInput IDENTITY = (x, step) -> x;
    }

    /** Changes the latents after step {@code index} (absolute index into the scheduler's timesteps). */
    @FunctionalInterface
    public interface AfterStep {
        NDArray apply(int index, NDArray latents, NDManager step);

        AfterStep NONE = (i, x, step) -> x;
    }

    /** Sees the latents after every step (relative index from 0); must copy what it keeps. */
    @FunctionalInterface
    public interface Observer {
        void onStep(int step, NDArray latents);

        Observer NONE = (i, x) -> { };
    }

    private Denoiser() {
    }

    /**
     * Runs steps {@code startIndex .. timesteps-1}. {@code latents} is taken over (closed); the result is in
     * {@code keep}. {@code classLabels} (x4 upscaler) is passed as is.
     */
    public static NDArray run(ModelComponents model, Scheduler scheduler, NDArray latents, EncodedPrompts prompts,
                              NDArray classLabels, double guidance, int startIndex, ModelInput input, AfterStep after,
                              Scheduler.NoiseSource noise, Observer observer, ProgressListener progress, NDManager keep) {
        float[] timesteps = scheduler.timesteps();
        int total = timesteps.length - startIndex;
        boolean cfg = prompts.guided();
        if (cfg != guidance > 1.0) {
            throw new IllegalStateException("prompts were encoded for guidance " + cfg + " but guidance is " + guidance);
        }
        NDArray current = latents;
        current.attach(keep);
        for (int i = startIndex; i < timesteps.length; i++) {
            try (NDManager step = keep.newSubManager()) {
                current.attach(step);
                NDArray scaled = scheduler.scaleModelInput(current, i);
                NDArray batch = cfg ? NDArrays.concat(new NDList(scaled, scaled), 0) : scaled;
                NDArray unetIn = input.build(batch, step);
                long n = unetIn.getShape().get(0);
                NDArray t = step.full(new Shape(n), timesteps[i]);
                NDArray out = model.unet().forward(model.toModel(unetIn), t, prompts.context(), classLabels);
                out.attach(step);
                NDArray eps = ModelComponents.toFloat32(out);
                if (cfg) {
                    long b = n / 2;
                    NDArray u = eps.get(new NDIndex("0:{}", b));
                    NDArray c = eps.get(new NDIndex("{}:", b));
                    eps = u.add(c.sub(u).mul((float) guidance));
                }
                NDArray next = scheduler.step(eps, i, current, noise);
                next = after.apply(i, next, step);
                observer.onStep(i - startIndex, next);
                next.attach(keep);
                current = next;
            }
            progress.onStep(i - startIndex + 1, total);
        }
        return current;
    }

    /**
     * diffusers' {@code get_timesteps(num_inference_steps, strength)}: the index of the first timestep used when
     * starting from a noised image ({@code t_start * order}).
     */
    public static int startIndex(Scheduler scheduler, int steps, double strength) {
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in (0, 1], got " + strength);
        }
        int initTimestep = Math.min((int) (steps * strength), steps);
        int tStart = Math.max(steps - initTimestep, 0);
        int start = tStart * scheduler.order();
        if (start >= scheduler.timesteps().length) {
            throw new IllegalArgumentException("strength " + strength + " with " + steps
                    + " steps leaves no denoising step; raise strength or steps");
        }
        return start;
    }
}
