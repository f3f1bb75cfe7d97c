package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * diffusers' deprecated {@code StableDiffusionInpaintPipelineLegacy} (any 4-channel model): img2img from the
 * original latents noised at the first timestep; after every step the unmasked area is replaced by the original
 * latents noised to that step's own timestep, and once more with the clean latents after the loop. The mask is
 * taken to latent size with PIL's nearest resize and is not binarised (white = repaint).
 */
public final class LegacyInpaintPipeline {

    private LegacyInpaintPipeline() {
    }

    /** {@code image} {@code [B,3,H,W]} in [-1,1]; {@code mask} {@code [B,1,H,W]} in [0,1]; {@code noise} {@code [B,4,h,w]}. */
    public static PipelineOutput run(ModelComponents model, EncodedPrompts prompts, Denoising d, NDArray image,
                                     NDArray mask, double strength, NDArray noise, NDManager keep) {
        var s = d.scheduler();
        s.setTimesteps(d.steps());
        int start = Denoiser.startIndex(s, d.steps(), strength);
        float[] timesteps = s.timesteps();
        NDArray orig = ImageLatents.encode(model, image, keep);
        NDArray latents = s.addNoise(orig, noise, timesteps[start]);
        latents.attach(keep);
        long h = noise.getShape().get(2);
        long w = noise.getShape().get(3);
        NDArray repaint = MaskInput.resizeNearest(mask, (int) h, (int) w, true);
        NDArray keepMask = repaint.mul(-1f).add(1f);       // diffusers: mask = 1 - mask
        NDArray invKeep = keepMask.mul(-1f).add(1f);        // (1 - mask)
        keepMask.attach(keep);
        invKeep.attach(keep);
        repaint.close();
        Denoiser.AfterStep after = (i, lat, step) -> {
            NDArray proper = s.addNoise(orig, noise, timesteps[i]);
            proper.attach(step);
            return proper.mul(keepMask).add(lat.mul(invKeep));
        };
        NDArray result = Denoiser.run(model, s, latents, prompts, null, d.guidance(), start,
                Denoiser.ModelInput.IDENTITY, after, d.stepNoise(), d.observer(), d.progress(), keep);
        NDArray blended = orig.mul(keepMask).add(result.mul(invKeep));
        blended.attach(keep);
        return PipelineOutput.decode(model, result, blended, keep);
    }
}
