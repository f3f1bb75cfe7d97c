package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.imaginefleet.engine.vae.AutoencoderKL;

/**
 * What a pipeline run produced, all float32 in the caller's manager.
 *
 * @param finalLatents latents after the last step (before the legacy pipeline's post-loop blend)
 * @param decodeInput  what went into the VAE decoder ({@code latents / scaling_factor})
 * @param image        {@code [B,3,H,W]} in [0,1] ({@code clamp(decoded/2+0.5)})
 */
public record PipelineOutput(NDArray finalLatents, NDArray decodeInput, NDArray image) {

    /** Decodes {@code latents} (with their final value {@code decodeLatents}) into an output, freeing VAE temporaries. */
    static PipelineOutput decode(ModelComponents model, NDArray finalLatents, NDArray decodeLatents, NDManager keep) {
        AutoencoderKL vae = model.vae();
        float scaling = (float) (double) vae.config().scalingFactor();
        NDArray decodeInput = decodeLatents.div(scaling);
        decodeInput.attach(keep);
        try (NDManager scope = keep.newSubManager()) {
            NDArray z = model.toModel(decodeInput.duplicate());
            z.attach(scope);
            NDArray decoded = ModelComponents.toFloat32(model.vae().decode(z));
            decoded.attach(scope);
            NDArray image = decoded.div(2f).add(0.5f).clip(0f, 1f);
            image.attach(keep);
            return new PipelineOutput(finalLatents, decodeInput, image);
        }
    }
}
