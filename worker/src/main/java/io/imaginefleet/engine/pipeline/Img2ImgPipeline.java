package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * diffusers' {@code StableDiffusionImg2ImgPipeline}: {@code strength} picks the start step
 * ({@code get_timesteps}); the image's VAE latent mean × scaling is noised with {@code add_noise} at the first
 * timestep used; then the usual loop from there.
 */
public final class Img2ImgPipeline {

    private Img2ImgPipeline() {
    }

    /** {@code image} {@code [B,3,H,W]} in [-1,1]; {@code noise} {@code [B,4,h,w]}. */
    public static PipelineOutput run(ModelComponents model, EncodedPrompts prompts, Denoising d, NDArray image,
                                     double strength, NDArray noise, NDManager keep) {
        d.scheduler().setTimesteps(d.steps());
        int start = Denoiser.startIndex(d.scheduler(), d.steps(), strength);
        NDArray initLatents = ImageLatents.encode(model, image, keep);
        NDArray latents = d.scheduler().addNoise(initLatents, noise, d.scheduler().timesteps()[start]);
        latents.attach(keep);
        NDArray result = Denoiser.run(model, d.scheduler(), latents, prompts, null, d.guidance(), start,
                Denoiser.ModelInput.IDENTITY, Denoiser.AfterStep.NONE, d.stepNoise(), d.observer(), d.progress(), keep);
        return PipelineOutput.decode(model, result, result, keep);
    }
}
