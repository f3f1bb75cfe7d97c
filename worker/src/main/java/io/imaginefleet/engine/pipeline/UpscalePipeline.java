package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.scheduler.Scheduler;

/**
 * diffusers' {@code StableDiffusionUpscalePipeline} (the x4 upscaler): the low-res image is noised with the
 * {@code low_res_scheduler} at {@code noise_level} and concatenated to the scaled latents as UNet input (both guidance
 * halves); {@code class_labels = noise_level}; the latents have the low-res size and decode to 4× (VAE factor).
 */
public final class UpscalePipeline {

    private UpscalePipeline() {
    }

    /**
     * {@code lowRes} {@code [B,3,h,w]} in [-1,1]; {@code lowResNoise} like it; {@code noise} {@code [B,4,h,w]}
     * initial latents.
     */
    public static PipelineOutput run(ModelComponents model, EncodedPrompts prompts, Denoising d, NDArray lowRes,
                                     int noiseLevel, NDArray lowResNoise, NDArray noise, NDManager keep) {
        Scheduler lowResScheduler = model.newLowResScheduler();
        NDArray noisy = lowResScheduler.addNoise(lowRes, lowResNoise, noiseLevel);
        noisy.attach(keep);
        NDArray imageIn = d.guided() ? NDArrays.concat(new NDList(noisy, noisy), 0) : noisy;
        imageIn.attach(keep);
        long n = imageIn.getShape().get(0);
        NDArray classLabels = keep.full(new Shape(n), (long) noiseLevel).toType(DataType.INT64, false);
        classLabels.attach(keep);
        Scheduler s = d.scheduler();
        s.setTimesteps(d.steps());
        NDArray latents = noise.mul(s.initNoiseSigma());
        latents.attach(keep);
        Denoiser.ModelInput input = (batch, step) -> NDArrays.concat(new NDList(batch, imageIn), 1);
        NDArray result = Denoiser.run(model, s, latents, prompts, classLabels, d.guidance(), 0, input,
                Denoiser.AfterStep.NONE, d.stepNoise(), d.observer(), d.progress(), keep);
        return PipelineOutput.decode(model, result, result, keep);
    }
}
