package io.imaginefleet.engine.pipeline;

import java.awt.image.BufferedImage;

/**
 * One generation, as the sd command line and the worker ask for it. {@code initImage}/{@code mask} are used by
 * img2img, inpaint and upscale only. Sizes are pixels (multiples of 8).
 */
public record GenerationRequest(
        Mode mode,
        String prompt,
        String negativePrompt,
        int width,
        int height,
        int steps,
        double guidance,
        String scheduler,
        long seed,
        int count,
        double strength,
        BufferedImage initImage,
        BufferedImage mask,
        int noiseLevel) {

    public enum Mode { TXT2IMG, IMG2IMG, INPAINT, UPSCALE }
}
