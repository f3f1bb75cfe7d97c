package io.imaginefleet.engine.cli;

import io.imaginefleet.engine.pipeline.GenerationRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code sd img2img}: {@code --init-noise} is the noise added to the image latents ([count|1,4,h,w]). */
@Command(name = "img2img", mixinStandardHelpOptions = true, description = "Rework a picture guided by a prompt.")
final class Img2ImgCommand extends GenerateCommand {

    @Option(names = "--image", required = true, paramLabel = "IN", description = "PNG, JPEG or WebP")
    Path image;

    @Option(names = "--strength", defaultValue = "0.75", description = "how much to change, (0,1] (default ${DEFAULT-VALUE})")
    double strength;

    @Option(names = "--width", defaultValue = "0", description = "resize the input to this width (default: its own, snapped to 8)")
    int width;

    @Option(names = "--height", defaultValue = "0", description = "resize the input to this height (default: its own, snapped to 8)")
    int height;

    @Override
    GenerationRequest request(long seed) {
        requireFile(image, "--image");
        return new GenerationRequest(GenerationRequest.Mode.IMG2IMG, gen.prompt, gen.negative, width, height, gen.steps,
                gen.guidance, gen.scheduler, seed, gen.count, strength, readImage(image), null, 0);
    }
}
