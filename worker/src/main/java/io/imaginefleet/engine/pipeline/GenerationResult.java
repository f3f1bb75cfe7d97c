package io.imaginefleet.engine.pipeline;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * Finished images with the seed used (image i used seed + i), phase timings in milliseconds
 * ({@code text}, {@code denoise}, {@code decode}) and the AUTOMATIC1111-style {@code parameters} text of each image.
 */
public record GenerationResult(List<BufferedImage> images, long seed, Map<String, Long> timingsMillis, List<String> parameters) {
}
