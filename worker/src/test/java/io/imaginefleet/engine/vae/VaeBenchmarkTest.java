package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Benchmark, not a unit test: a full-size SD 1.x VAE (random weights, 83.6 M parameters) decoding 64² latents to
 * 512² and encoding back. Excluded from the default test run (worker/pom.xml); run it by name:
 * {@code mvn -o -pl worker -am test -Dtest=VaeBenchmarkTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class VaeBenchmarkTest {
    @TempDir
    Path dir;
    private final Random rnd = new Random(1);
    private SafetensorsWriter w;
    private long params;

    private void tensor(String name, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        double std = shape.length > 1 ? 1.0 / Math.sqrt((double) n / shape[0]) : 0.05;
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * std) + (name.contains("norm") && name.endsWith("weight") ? 1f : 0f);
        }
        w.add(name, "F32", shape, v);
        params += n;
    }

    private void conv(String p, long in, long out, int k) {
        tensor(p + ".weight", out, in, k, k);
        tensor(p + ".bias", out);
    }

    private void norm(String p, long c) {
        tensor(p + ".weight", c);
        tensor(p + ".bias", c);
    }

    private void resnet(String p, long in, long out) {
        norm(p + ".norm1", in);
        conv(p + ".conv1", in, out, 3);
        norm(p + ".norm2", out);
        conv(p + ".conv2", out, out, 3);
        if (in != out) {
            conv(p + ".conv_shortcut", in, out, 1);
        }
    }

    private void mid(String p, long c) {
        resnet(p + ".resnets.0", c, c);
        norm(p + ".attentions.0.group_norm", c);
        for (String n : new String[] {"to_q", "to_k", "to_v", "to_out.0"}) {
            tensor(p + ".attentions.0." + n + ".weight", c, c);
            tensor(p + ".attentions.0." + n + ".bias", c);
        }
        resnet(p + ".resnets.1", c, c);
    }

    private Path writeSdVae() throws IOException {
        return writeVae(new long[] {128, 256, 512, 512}, 0.18215);
    }

    /** A random diffusers VAE with these block channels (SD 1.x: 128/256/512/512; x4 upscaler: 128/256/512). */
    private Path writeVae(long[] ch, double scaling) throws IOException {
        int blocks = ch.length;
        long top = ch[blocks - 1];
        w = new SafetensorsWriter();
        conv("encoder.conv_in", 3, ch[0], 3);
        long in = ch[0];
        for (int i = 0; i < blocks; i++) {
            for (int j = 0; j < 2; j++) {
                resnet("encoder.down_blocks." + i + ".resnets." + j, j == 0 ? in : ch[i], ch[i]);
            }
            if (i < blocks - 1) {
                conv("encoder.down_blocks." + i + ".downsamplers.0.conv", ch[i], ch[i], 3);
            }
            in = ch[i];
        }
        mid("encoder.mid_block", top);
        norm("encoder.conv_norm_out", top);
        conv("encoder.conv_out", top, 8, 3);
        conv("quant_conv", 8, 8, 1);
        conv("post_quant_conv", 4, 4, 1);
        conv("decoder.conv_in", 4, top, 3);
        mid("decoder.mid_block", top);
        long prev = top;
        for (int i = 0; i < blocks; i++) {
            long out = ch[blocks - 1 - i];
            for (int j = 0; j < 3; j++) {
                resnet("decoder.up_blocks." + i + ".resnets." + j, j == 0 ? prev : out, out);
            }
            if (i < blocks - 1) {
                conv("decoder.up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
            }
            prev = out;
        }
        norm("decoder.conv_norm_out", 128);
        conv("decoder.conv_out", 128, 3, 3);
        Path vae = Files.createDirectories(dir.resolve("vae"));
        w.write(vae.resolve("diffusion_pytorch_model.safetensors"));
        w = null;
        String types = String.join(", ", java.util.Collections.nCopies(blocks, "\"DownEncoderBlock2D\""));
        Files.writeString(vae.resolve("config.json"), """
                {"_class_name": "AutoencoderKL", "block_out_channels": %s,
                 "down_block_types": [%s], "up_block_types": [%s],
                 "layers_per_block": 2, "latent_channels": 4, "norm_num_groups": 32, "sample_size": 512,
                 "scaling_factor": %s}""".formatted(java.util.Arrays.toString(ch), types,
                types.replace("DownEncoder", "UpDecoder"), scaling));
        return vae;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static long peakRssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }

    /**
     * The x4 upscaler's VAE (random, full size) decoding 512² latents to a 2048² image: above the default budget, so
     * in strips; prints time and the process's peak RSS.
     */
    @Test
    void x4VaeDecode2048() throws IOException {
        Path vaeDir = writeVae(new long[] {128, 256, 512}, 0.08333);
        System.out.printf("x4 VAE parameters: %,d; RSS after writing weights %d MB%n", params, VaeMemoryTest.rssKb() / 1024);
        try (AutoencoderKL vae = AutoencoderKL.load(vaeDir, EngineOptions.cpu()); NDManager m = NDManager.newBaseManager()) {
            int latent = Integer.getInteger("vae.bench.latent", 512);
            NDArray z = m.randomNormal(new Shape(1, 4, latent, latent));
            System.out.printf("untiled estimate %d MB, budget %d MB%n", vae.estimateDecodeBytes(1, latent, latent) >> 20,
                    EngineOptions.DEFAULT_VAE_BUDGET >> 20);
            long c0 = cpuNanos();
            long t0 = System.nanoTime();
            NDArray img = vae.decode(z);
            float[] px = img.toFloatArray();
            double t = (System.nanoTime() - t0) / 1e9;
            boolean finite = true;
            for (float v : px) {
                finite &= Float.isFinite(v);
            }
            System.out.printf("x4 VAE decode %d²→%d² %s: %.1f s wall, process CPU %.1f s, peak RSS %d MB, finite=%s%n", latent,
                    img.getShape().get(2), img.getShape(), t, (cpuNanos() - c0) / 1e9, peakRssMb(), finite);
        }
    }

    @Test
    void fullSizeVae512() throws IOException {
        Path vaeDir = writeSdVae();
        System.out.printf("VAE parameters: %,d%n", params);
        try (AutoencoderKL vae = AutoencoderKL.load(vaeDir, EngineOptions.cpu()); NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.randomNormal(new Shape(1, 4, 64, 64));
            int runs = Integer.getInteger("vae.bench.runs", 2);
            for (int i = 0; i < runs; i++) {
                long c0 = cpuNanos();
                long t0 = System.nanoTime();
                try (NDManager step = m.newSubManager()) {
                    NDArray zz = z.duplicate();
                    zz.attach(step);
                    NDArray img = vae.decode(zz);
                    img.toFloatArray();
                    long t1 = System.nanoTime();
                    NDArray lat = vae.encodeMean(img);
                    lat.toFloatArray();
                    long t2 = System.nanoTime();
                    System.out.printf("run %d: decode 64²→512² %.2f s, encode 512² %.2f s (process CPU %.1f s), RSS %d MB%n", i,
                            (t1 - t0) / 1e9, (t2 - t1) / 1e9, (cpuNanos() - c0) / 1e9, VaeMemoryTest.rssKb() / 1024);
                }
            }
        }
    }
}
