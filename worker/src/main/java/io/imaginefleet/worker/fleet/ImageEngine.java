package io.imaginefleet.worker.fleet;

import io.imaginefleet.engine.pipeline.GenerationRequest;
import io.imaginefleet.engine.pipeline.GenerationResult;
import io.imaginefleet.engine.pipeline.ProgressListener;

import java.util.Set;

/**
 * What the fleet needs from the diffusion engine: the models it serves and one generation at a time. The
 * implementation on the real engine is {@link DiffusionEngine}. Exceptions: {@link IllegalArgumentException} for a
 * request the model cannot run (permanent), {@code engine.pipeline.ImageInputException} for an undecodable input
 * (permanent); anything else counts as a transient engine failure.
 */
public interface ImageEngine extends AutoCloseable {
    /** Names of the models this engine serves (as jobs name them). */
    Set<String> models();

    /** The modes {@code model} supports (e.g. an inpainting UNet supports only INPAINT). */
    Set<GenerationRequest.Mode> modes(String model);

    GenerationResult generate(String model, GenerationRequest request, ProgressListener listener);

    @Override
    void close();
}
