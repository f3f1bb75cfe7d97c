package io.imaginefleet.engine.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options every generating subcommand takes. */
public final class GenerateOptions {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "diffusers model folder")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "", description = "what to draw")
    String prompt;

    @Option(names = "--negative", paramLabel = "TEXT", description = "what to avoid (negative prompt)")
    String negative;

    @Option(names = "--steps", defaultValue = "30", description = "denoising steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--guidance", defaultValue = "7.5", description = "classifier-free guidance scale; <= 1 disables it (default ${DEFAULT-VALUE})")
    double guidance;

    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "ddim|pndm|lms|euler|euler-a|dpmpp-2m|dpmpp-2m-karras|ddpm (default: the model's own)")
    String scheduler;

    @Option(names = "--seed", description = "noise seed; image i uses seed+i (default: random, printed)")
    Long seed;

    @Option(names = "--count", defaultValue = "1", description = "number of images (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--init-noise", paramLabel = "FILE.npy", description = "initial noise instead of the seeded generator ([count|1,4,h,w] float32)")
    Path initNoise;

    @Option(names = "--latents-out", paramLabel = "FILE.npy", description = "write the final latents [count,4,h,w]")
    Path latentsOut;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "output PNG (with --count > 1: FILE-0.png, FILE-1.png, …)")
    Path out;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;
}
