package io.imaginefleet.engine.cli;

import io.imaginefleet.engine.pipeline.GenerationRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code sd inpaint}: 9-channel inpainting models, or any 4-channel model by mask blending; {@code --legacy} runs
 * diffusers' legacy inpaint pipeline. {@code --init-noise} is the initial latent noise (strength 1) or the noise added
 * to the image latents.
 */
@Command(name = "inpaint", mixinStandardHelpOptions = true, description = "Repaint the white area of a mask.")
final class InpaintCommand extends GenerateCommand {

    @Option(names = "--image", required = true, paramLabel = "IN", description = "PNG, JPEG or WebP")
    Path image;

    @Option(names = "--mask", required = true, paramLabel = "MASK", description = "white = repaint, black = keep; resized to the image")
    Path mask;

    @Option(names = "--strength", defaultValue = "1.0", description = "(0,1] (default ${DEFAULT-VALUE})")
    double strength;

    @Option(names = "--legacy", description = "StableDiffusionInpaintPipelineLegacy (4-channel models; use --strength)")
    boolean legacy;

    @Option(names = "--width", defaultValue = "0", description = "resize the input to this width (default: its own)")
    int width;

    @Option(names = "--height", defaultValue = "0", description = "resize the input to this height (default: its own)")
    int height;

    @Override
    GenerationRequest request(long seed) {
        requireFile(image, "--image");
        requireFile(mask, "--mask");
        return new GenerationRequest(GenerationRequest.Mode.INPAINT, gen.prompt, gen.negative, width, height, gen.steps,
                gen.guidance, gen.scheduler, seed, gen.count, strength, readImage(image), readImage(mask), 0);
    }

    @Override
    boolean legacy() {
        return legacy;
    }
}
