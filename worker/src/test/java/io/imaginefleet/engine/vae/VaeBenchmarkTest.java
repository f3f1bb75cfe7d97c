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
        long[] ch = {128, 256, 512, 512};
        w = new SafetensorsWriter();
        conv("encoder.conv_in", 3, ch[0], 3);
        long in = ch[0];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 2; j++) {
                resnet("encoder.down_blocks." + i + ".resnets." + j, j == 0 ? in : ch[i], ch[i]);
            }
            if (i < 3) {
                conv("encoder.down_blocks." + i + ".downsamplers.0.conv", ch[i], ch[i], 3);
            }
            in = ch[i];
        }
        mid("encoder.mid_block", 512);
        norm("encoder.conv_norm_out", 512);
        conv("encoder.conv_out", 512, 8, 3);
        conv("quant_conv", 8, 8, 1);
        conv("post_quant_conv", 4, 4, 1);
        conv("decoder.conv_in", 4, 512, 3);
        mid("decoder.mid_block", 512);
        long prev = 512;
        for (int i = 0; i < 4; i++) {
            long out = ch[3 - i];
            for (int j = 0; j < 3; j++) {
                resnet("decoder.up_blocks." + i + ".resnets." + j, j == 0 ? prev : out, out);
            }
            if (i < 3) {
                conv("decoder.up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
            }
            prev = out;
        }
        norm("decoder.conv_norm_out", 128);
        conv("decoder.conv_out", 128, 3, 3);
        Path vae = Files.createDirectories(dir.resolve("vae"));
        w.write(vae.resolve("diffusion_pytorch_model.safetensors"));
        w = null;
        Files.writeString(vae.resolve("config.json"), """
                {"_class_name": "AutoencoderKL", "block_out_channels": [128, 256, 512, 512],
                 "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"],
                 "layers_per_block": 2, "latent_channels": 4, "norm_num_groups": 32, "sample_size": 512,
                 "scaling_factor": 0.18215}""");
        return vae;
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
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
