package io.imaginefleet.engine.pipeline;

/** Called after each denoising step; may throw to cancel the generation. */
@FunctionalInterface
public interface ProgressListener {
    void onStep(int step, int totalSteps);

    ProgressListener NONE = (s, t) -> { };
}
