package io.imaginefleet.engine.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.imaginefleet.engine.io.Npy;
import io.imaginefleet.engine.pipeline.GenerationRequest;
import io.imaginefleet.engine.pipeline.GenerationResult;
import io.imaginefleet.engine.pipeline.ImageInput;
import io.imaginefleet.engine.pipeline.PngWriter;
import io.imaginefleet.engine.pipeline.ProgressListener;
import io.imaginefleet.engine.pipeline.StableDiffusion;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Shared flow of txt2img / img2img / inpaint / upscale: load, generate with a progress bar, write PNGs. */
abstract class GenerateCommand implements Callable<Integer> {

    @Mixin
    GenerateOptions gen;

    @Mixin
    EngineFlags engine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The request of this subcommand. */
    abstract GenerationRequest request(long seed);

    /** Extra given noise tensors (upscale low-res noise). */
    NDArray lowResNoise(NDManager m) {
        return null;
    }

    boolean legacy() {
        return false;
    }

    void requireFile(Path p, String option) {
        if (p != null && !Files.isRegularFile(p)) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": no such file " + p);
        }
    }

    static BufferedImage readImage(Path p) {
        return ImageInput.read(p, ImageInput.DEFAULT_MAX_PIXELS);
    }

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(gen.model)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model: no such folder " + gen.model);
        }
        requireFile(gen.initNoise, "--init-noise");
        long seed = gen.seed != null ? gen.seed : new SecureRandom().nextLong() & 0xFFFFFFFFL;
        GenerationRequest request = request(seed);
        try (StableDiffusion sd = StableDiffusion.load(gen.model, engine.options());
             NDManager m = NDManager.newBaseManager()) {
            NDArray init = gen.initNoise == null ? null : Npy.read(m, gen.initNoise);
            StableDiffusion.GivenNoise given = new StableDiffusion.GivenNoise(init, lowResNoise(m));
            StableDiffusion.Detailed out;
            try (ProgressBar bar = gen.quiet ? null : new ProgressBarBuilder()
                    .setTaskName(spec.name()).setInitialMax(1).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUnit(" steps", 1).build()) {
                ProgressListener listener = bar == null ? ProgressListener.NONE : (s, total) -> {
                    bar.maxHint(total);
                    bar.stepTo(s);
                };
                out = sd.generate(request, listener, given, legacy());
            }
            GenerationResult result = out.result();
            List<Path> written = new ArrayList<>();
            for (int i = 0; i < result.images().size(); i++) {
                Path file = result.images().size() == 1 ? gen.out : numbered(gen.out, i);
                PngWriter.write(file, result.images().get(i), result.parameters().get(i));
                written.add(file);
            }
            if (gen.latentsOut != null) {
                Path parent = gen.latentsOut.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Npy.writeFloats(gen.latentsOut, out.latentShape(), out.finalLatents());
            }
            for (Path p : written) {
                System.out.println(p);
            }
            System.err.println("seed " + seed + ", timings ms " + result.timingsMillis());
        }
        return 0;
    }

    static Path numbered(Path out, int i) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot < 0 ? name + "-" + i : name.substring(0, dot) + "-" + i + name.substring(dot);
        return out.resolveSibling(numbered);
    }
}
