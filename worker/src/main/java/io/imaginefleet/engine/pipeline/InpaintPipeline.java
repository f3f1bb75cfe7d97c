package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * diffusers' {@code StableDiffusionInpaintPipeline}, both branches, chosen by the UNet's {@code in_channels}:
 * <ul>
 *   <li>9 (inpainting UNets): the UNet input is {@code cat([scaled latents, mask, masked image latents])} with
 *       {@code masked_image = image * (mask < 0.5)};</li>
 *   <li>4 (any text-to-image model): after every step the latents outside the mask are replaced by the original
 *       image latents noised to the next timestep ({@code add_noise(image_latents, noise, timesteps[i+1])}; the
 *       clean latents after the last step).</li>
 * </ul>
 * Mask: 1 = repaint, binarised at image size, taken to latent size with {@code F.interpolate(mode="nearest")}.
 */
public final class InpaintPipeline {

    private InpaintPipeline() {
    }

    /**
     * {@code image} {@code [B,3,H,W]} in [-1,1]; {@code mask} {@code [B,1,H,W]} (binarised here at 0.5);
     * {@code noise} {@code [B,4,h,w]}.
     */
    public static PipelineOutput run(ModelComponents model, EncodedPrompts prompts, Denoising d, NDArray image,
                                     NDArray mask, double strength, NDArray noise, NDManager keep) {
        int inChannels = model.unet().config().inChannels();
        if (inChannels != 9 && inChannels != 4) {
            throw new IllegalArgumentException("inpainting needs a UNet with 4 or 9 input channels, this one has " + inChannels);
        }
        var s = d.scheduler();
        s.setTimesteps(d.steps());
        int start = Denoiser.startIndex(s, d.steps(), strength);
        float[] timesteps = s.timesteps();
        boolean strengthMax = strength == 1.0;
        NDArray binary = mask.gte(0.5f).toType(DataType.FLOAT32, false);
        binary.attach(keep);
        NDArray imageLatents = inChannels == 4 || !strengthMax ? ImageLatents.encode(model, image, keep) : null;
        NDArray latents = strengthMax ? noise.mul(s.initNoiseSigma()) : s.addNoise(imageLatents, noise, timesteps[start]);
        latents.attach(keep);
        long h = noise.getShape().get(2);
        long w = noise.getShape().get(3);
        NDArray latentMask = MaskInput.resizeNearest(binary, (int) h, (int) w, false);
        latentMask.attach(keep);

        Denoiser.ModelInput input = Denoiser.ModelInput.IDENTITY;
        Denoiser.AfterStep after = Denoiser.AfterStep.NONE;
        if (inChannels == 9) {
            NDArray masked = image.mul(binary.lt(0.5f).toType(DataType.FLOAT32, false));
            masked.attach(keep);
            NDArray maskedLatents = ImageLatents.encode(model, masked, keep);
            NDArray maskIn = d.guided() ? NDArrays.concat(new NDList(latentMask, latentMask), 0) : latentMask;
            NDArray maskedIn = d.guided() ? NDArrays.concat(new NDList(maskedLatents, maskedLatents), 0) : maskedLatents;
            maskIn.attach(keep);
            maskedIn.attach(keep);
            input = (batch, step) -> NDArrays.concat(new NDList(batch, maskIn, maskedIn), 1);
        } else {
            NDArray keepMask = latentMask.mul(-1f).add(1f);
            keepMask.attach(keep);
            after = (i, lat, step) -> {
                NDArray proper;
                if (i < timesteps.length - 1) {
                    proper = s.addNoise(imageLatents, noise, timesteps[i + 1]);
                    proper.attach(step);
                } else {
                    proper = imageLatents;
                    proper.tempAttach(step);
                }
                return proper.mul(keepMask).add(lat.mul(latentMask));
            };
        }
        NDArray result = Denoiser.run(model, s, latents, prompts, null, d.guidance(), start, input, after,
                d.stepNoise(), d.observer(), d.progress(), keep);
        return PipelineOutput.decode(model, result, result, keep);
    }
}
