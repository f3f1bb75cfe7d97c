package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** VAE encodes as the pipelines do: latent distribution mean × {@code scaling_factor}. */
final class ImageLatents {

    private ImageLatents() {
    }

    /** {@code x} in [-1,1] {@code [B,3,H,W]} → {@code [B,4,H/f,W/f]} float32 in {@code keep}. */
    static NDArray encode(ModelComponents model, NDArray x, NDManager keep) {
        float scaling = (float) (double) model.vae().config().scalingFactor();
        try (NDManager scope = keep.newSubManager()) {
            NDArray in = model.toModel(x.duplicate());
            in.attach(scope);
            NDArray mean = ModelComponents.toFloat32(model.vae().encodeMean(in));
            mean.attach(scope);
            NDArray latents = mean.mul(scaling);
            latents.attach(keep);
            return latents;
        }
    }
}
