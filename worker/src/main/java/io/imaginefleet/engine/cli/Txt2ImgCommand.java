package io.imaginefleet.engine.cli;

import io.imaginefleet.engine.pipeline.GenerationRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sd txt2img}. */
@Command(name = "txt2img", mixinStandardHelpOptions = true, description = "Text to image.")
final class Txt2ImgCommand extends GenerateCommand {

    @Option(names = "--width", defaultValue = "512", description = "pixels, multiple of 8 (default ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--height", defaultValue = "512", description = "pixels, multiple of 8 (default ${DEFAULT-VALUE})")
    int height;

    @Override
    GenerationRequest request(long seed) {
        return new GenerationRequest(GenerationRequest.Mode.TXT2IMG, gen.prompt, gen.negative, width, height, gen.steps,
                gen.guidance, gen.scheduler, seed, gen.count, 1.0, null, null, 0);
    }
}
