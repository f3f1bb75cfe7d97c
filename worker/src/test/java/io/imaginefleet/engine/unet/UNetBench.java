package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.DeserializationFeature;
import io.imaginefleet.engine.EngineOptions;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Benchmark (not a unit test): one classifier-free-guidance UNet forward (batch 2) of a full-size SD 1.5 UNet with
 * random weights built in memory, fp32 on the CPU. Prints per run: wall seconds, process CPU seconds, the load
 * average (the machine may be shared), GFLOP per forward counted from the config, GFLOP/s, and peak RSS.
 *
 * <pre>
 * mvn -o -q -pl worker -am test-compile
 * java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=2 \
 *   -cp worker/target/test-classes:worker/target/classes:$(cat worker/target/classpath.txt) \
 *   io.imaginefleet.engine.unet.UNetBench [--latent 64] [--batch 2] [--runs 2] [--config unet/config.json]
 *   [--fused false]
 * </pre>
 */
public final class UNetBench {
    /** diffusers' config of runwayml/stable-diffusion-v1-5 unet/config.json (the fields that matter). */
    static final String SD15 = """
            {"_class_name": "UNet2DConditionModel", "act_fn": "silu", "attention_head_dim": 8,
             "block_out_channels": [320, 640, 1280, 1280], "center_input_sample": false, "cross_attention_dim": 768,
             "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
             "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
             "mid_block_scale_factor": 1, "norm_eps": 1e-05, "norm_num_groups": 32, "out_channels": 4, "sample_size": 64,
             "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"]}
            """;

    public static void main(String[] args) throws Exception {
        int latent = 64;
        int batch = 2;
        int runs = 2;
        Path configPath = null;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--latent" -> latent = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--config" -> configPath = Path.of(args[i + 1]);
                case "--fused" -> System.setProperty("imaginefleet.fusedOps", args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ObjectMapper json = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        UNetConfig config = json.readValue(configPath != null ? Files.readString(configPath) : SD15, UNetConfig.class);
        int ctxDim = config.crossAttentionDimPerBlock()[0];
        UNetFlops flops = UNetFlops.of(config, batch, latent, latent, 77);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        long t0 = System.nanoTime();
        try (UNet2DConditionModel unet = UNet2DConditionModel.create(config, TensorSource.random(42), EngineOptions.cpu())) {
            System.out.printf("built random UNet in %.1f s; peak RSS %.2f GB; fused ops %s; threads %s%n",
                    (System.nanoTime() - t0) / 1e9, peakRssGb(), ai.djl.pytorch.jni.JniUtils.class != null
                            && io.imaginefleet.engine.nn.FusedOps.available(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"));
            System.out.printf("GFLOP per forward (batch %d, %dx%d latents): %.1f (conv %.1f, linear %.1f, attention %.1f)%n",
                    batch, latent, latent, flops.total() / 1e9, flops.conv() / 1e9, flops.linear() / 1e9,
                    flops.attention() / 1e9);
            List<Double> walls = new ArrayList<>();
            List<Double> cpus = new ArrayList<>();
            try (NDManager m = NDManager.newBaseManager()) {
                m.getEngine().setRandomSeed(1);
                NDArray sample = m.randomNormal(new Shape(batch, config.inChannels(), latent, latent));
                NDArray context = m.randomNormal(new Shape(batch, 77, ctxDim));
                NDArray t = m.full(new Shape(batch), 500f);
                NDArray labels = config.numClassEmbeds() != null ? m.full(new Shape(batch), 20L) : null;
                for (int r = 0; r <= runs; r++) {
                    String load0 = loadAverage();
                    long c0 = os.getProcessCpuTime();
                    long w0 = System.nanoTime();
                    NDArray out = unet.forward(sample, t, context, labels);
                    float check = out.abs().mean().getFloat();
                    double wall = (System.nanoTime() - w0) / 1e9;
                    double cpu = (os.getProcessCpuTime() - c0) / 1e9;
                    out.close();
                    String label = r == 0 ? "warm-up" : "run " + r;
                    System.out.printf("%-8s wall %6.2f s  cpu %6.2f s  %6.1f GFLOP/s (wall)  %6.1f GFLOP/s per cpu-second"
                                    + "  mean|out| %.4f  load avg %s -> %s  RSS %.2f GB (peak %.2f GB)%n",
                            label, wall, cpu, flops.total() / 1e9 / wall, flops.total() / 1e9 / cpu, check, load0,
                            loadAverage(), rssGb("VmRSS:"), peakRssGb());
                    if (r > 0) {
                        walls.add(wall);
                        cpus.add(cpu);
                    }
                }
            }
            double bestWall = walls.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            double bestCpu = cpus.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
            System.out.printf("RESULT latent %dx%d batch %d: best wall %.2f s, best cpu %.2f s (cpu/2 = %.2f s), %.1f GFLOP,"
                            + " %.1f GFLOP/s wall, peak RSS %.2f GB%n", latent, latent, batch, bestWall, bestCpu,
                    bestCpu / 2, flops.total() / 1e9, flops.total() / 1e9 / bestWall, peakRssGb());
        }
    }

    static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        } catch (Exception e) {
            return "?";
        }
    }

    /** VmHWM (peak resident memory) of this process in GB (Linux), NaN elsewhere. */
    static double peakRssGb() {
        return rssGb("VmHWM:");
    }

    /** A /proc/self/status memory field in GB (Linux), NaN elsewhere. */
    static double rssGb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return Double.NaN;
    }
}
