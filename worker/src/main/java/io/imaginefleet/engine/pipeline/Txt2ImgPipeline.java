package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** diffusers' {@code StableDiffusionPipeline}: noise × init_noise_sigma, denoise, decode. */
public final class Txt2ImgPipeline {

    private Txt2ImgPipeline() {
    }

    /** {@code noise} {@code [B,4,h,w]} is the initial latent noise (diffusers' {@code latents=} argument). */
    public static PipelineOutput run(ModelComponents model, EncodedPrompts prompts, Denoising d, NDArray noise,
                                     NDManager keep) {
        d.scheduler().setTimesteps(d.steps());
        NDArray latents = noise.mul(d.scheduler().initNoiseSigma());
        latents.attach(keep);
        NDArray result = Denoiser.run(model, d.scheduler(), latents, prompts, null, d.guidance(), 0,
                Denoiser.ModelInput.IDENTITY, Denoiser.AfterStep.NONE, d.stepNoise(), d.observer(), d.progress(), keep);
        return PipelineOutput.decode(model, result, result, keep);
    }
}
