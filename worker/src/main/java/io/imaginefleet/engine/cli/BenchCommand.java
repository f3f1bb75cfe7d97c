package io.imaginefleet.engine.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.imaginefleet.engine.pipeline.Denoising;
import io.imaginefleet.engine.pipeline.EncodedPrompts;
import io.imaginefleet.engine.pipeline.PipelineOutput;
import io.imaginefleet.engine.pipeline.ProgressListener;
import io.imaginefleet.engine.pipeline.SeededNoise;
import io.imaginefleet.engine.pipeline.StableDiffusion;
import io.imaginefleet.engine.pipeline.Txt2ImgPipeline;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sd bench}: one txt2img run with guidance, timed by phase; prints JSON with seconds for text encoding, the
 * median UNet step (one batched CFG forward plus the scheduler step), VAE decode and total, peak resident memory
 * (VmHWM) and the UNet's GFLOP per step with the achieved GFLOP/s.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time one txt2img run; prints JSON.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR")
    Path model;

    @Option(names = "--width", defaultValue = "512")
    int width;

    @Option(names = "--height", defaultValue = "512")
    int height;

    @Option(names = "--steps", defaultValue = "3")
    int steps;

    @Option(names = "--scheduler", defaultValue = "ddim")
    String scheduler;

    @Mixin
    EngineFlags engine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(model)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model: no such folder " + model);
        }
        if (width % 8 != 0 || height % 8 != 0 || width < 64 || height < 64) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--width/--height must be multiples of 8, at least 64");
        }
        long t0 = System.nanoTime();
        Map<String, Object> json = new LinkedHashMap<>();
        try (StableDiffusion sd = StableDiffusion.load(model, engine.options());
             NDManager m = NDManager.newBaseManager(engine.options().device())) {
            double load = seconds(t0, System.nanoTime());
            long rssAfterLoad = peakRssMb();
            var c = sd.components();
            int factor = c.vae().config().spatialFactor();
            long start = System.nanoTime();
            EncodedPrompts prompts = EncodedPrompts.encode(c, m, List.of("a photograph of an astronaut riding a horse"),
                    List.of("blurry, low quality"), true, 0);
            long afterText = System.nanoTime();
            List<Long> marks = new ArrayList<>();
            long[] loopStart = {0};
            Denoising d = new Denoising(c.newScheduler(scheduler), steps, 7.5, new SeededNoise.Batch(0, 1),
                    (i, latents) -> marks.add(System.nanoTime()), ProgressListener.NONE);
            NDArray noise = SeededNoise.randn(m, new Shape(1, 4, height / factor, width / factor), 0);
            loopStart[0] = System.nanoTime();
            PipelineOutput out = Txt2ImgPipeline.run(c, prompts, d, noise, m);
            long end = System.nanoTime();
            out.image().close();
            double[] stepSeconds = new double[marks.size()];
            long prev = loopStart[0];
            for (int i = 0; i < marks.size(); i++) {
                stepSeconds[i] = seconds(prev, marks.get(i));
                prev = marks.get(i);
            }
            double median = median(stepSeconds);
            json.put("model", model.toString());
            json.put("device", engine.options().device().toString());
            json.put("width", width);
            json.put("height", height);
            json.put("latent", (width / factor) + "x" + (height / factor));
            json.put("steps", steps);
            json.put("scheduler", scheduler);
            json.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
            json.put("load_s", round(load));
            json.put("peak_rss_after_load_mb", rssAfterLoad);
            json.put("text_encoding_s", round(seconds(start, afterText)));
            json.put("unet_step_s", Arrays.stream(stepSeconds).map(BenchCommand::round).toArray());
            json.put("unet_step_median_s", round(median));
            json.put("vae_decode_s", round(seconds(marks.isEmpty() ? loopStart[0] : marks.get(marks.size() - 1), end)));
            json.put("total_s", round(seconds(start, end)));
            double gflop = c.unet().flops(2, height / factor, width / factor).total() / 1e9;
            json.put("unet_gflop_per_step", round(gflop));
            json.put("achieved_gflops", round(gflop / median));
        }
        json.put("peak_rss_mb", peakRssMb());
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            json.put("process_cpu_s", round(sun.getProcessCpuTime() / 1e9));
        }
        json.put("load_average_1m", round(os.getSystemLoadAverage()));
        System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        return 0;
    }

    static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }

    static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Peak resident set size in MiB (VmHWM of /proc/self/status), or -1 where unavailable. */
    static long peakRssMb() {
        return procStatusKb("VmHWM") / 1024;
    }

    /** A kB field of /proc/self/status, or -1. */
    static long procStatusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
