package io.imaginefleet.engine.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.imaginefleet.engine.io.Npy;
import io.imaginefleet.engine.pipeline.GenerationRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code sd upscale}: the x4 upscaler; {@code --init-noise} are the initial latents, {@code --lowres-noise} the augmentation noise. */
@Command(name = "upscale", mixinStandardHelpOptions = true, description = "Upscale a picture 4x (x4 upscaler model).")
final class UpscaleCommand extends GenerateCommand {

    @Option(names = "--image", required = true, paramLabel = "IN", description = "PNG, JPEG or WebP (at most 512x512 by default)")
    Path image;

    @Option(names = "--noise-level", defaultValue = "20", description = "noise augmentation of the low-res image (default ${DEFAULT-VALUE})")
    int noiseLevel;

    @Option(names = "--lowres-noise", paramLabel = "FILE.npy", description = "noise for the low-res image ([count|1,3,h,w])")
    Path lowResNoise;

    @Override
    GenerationRequest request(long seed) {
        requireFile(image, "--image");
        requireFile(lowResNoise, "--lowres-noise");
        return new GenerationRequest(GenerationRequest.Mode.UPSCALE, gen.prompt, gen.negative, 0, 0, gen.steps,
                gen.guidance, gen.scheduler, seed, gen.count, 1.0, readImage(image), null, noiseLevel);
    }

    @Override
    NDArray lowResNoise(NDManager m) {
        return lowResNoise == null ? null : Npy.read(m, lowResNoise);
    }
}
