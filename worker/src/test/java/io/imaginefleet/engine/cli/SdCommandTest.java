package io.imaginefleet.engine.cli;

import io.imaginefleet.engine.io.Npy;
import io.imaginefleet.engine.pipeline.PngWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The sd command line, in-process. */
class SdCommandTest {

    @TempDir
    Path tmp;

    static Path fixtures() {
        return Path.of(System.getProperty("fixtures.dir"));
    }

    record Run(int code, String err) {
    }

    static Run sd(String... args) {
        CommandLine cl = SdCommand.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, err.toString());
    }

    @Test
    void badArgumentsGetOneLineAndExitCode2() {
        Run missing = sd("txt2img", "--prompt", "x");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err().strip().lines()).hasSize(1);
        assertThat(missing.err()).contains("Missing required options").contains("--model").contains("--out");
        Run notInt = sd("txt2img", "--model", fixtures().resolve("models/tiny-sd").toString(), "--out", "x.png", "--steps", "many");
        assertThat(notInt.code()).isEqualTo(2);
        assertThat(notInt.err()).contains("'many' is not an int");
        Run noModel = sd("txt2img", "--model", tmp.resolve("nope").toString(), "--out", "x.png");
        assertThat(noModel.code()).isEqualTo(2);
        assertThat(noModel.err()).contains("--model: no such folder");
        Run badSize = sd("txt2img", "--model", fixtures().resolve("models/tiny-sd").toString(), "--out",
                tmp.resolve("x.png").toString(), "--width", "100", "--quiet");
        assertThat(badSize.code()).isEqualTo(2);
        assertThat(badSize.err().strip()).isEqualTo("sd txt2img: width and height must be multiples of 8 and at least 64, got 100x512");
        Run badImage = sd("img2img", "--model", fixtures().resolve("models/tiny-sd").toString(), "--out",
                tmp.resolve("x.png").toString(), "--image", fixtures().resolve("manifest.json").toString(), "--quiet");
        assertThat(badImage.code()).isEqualTo(2);
        assertThat(badImage.err()).contains("manifest.json is not a picture we can read");
        Run badArch = sd("init-random", "--arch", "sd3", "--tokenizer", tmp.toString(), "--out", tmp.toString());
        assertThat(badArch.code()).isEqualTo(2);
        assertThat(badArch.err()).contains("--arch must be one of [sd15, sd2, x4-upscaler]");
        assertThat(sd().code()).isEqualTo(2);
    }

    @Test
    void txt2imgWithTheFixtureNoiseReproducesDiffusersPng() throws Exception {
        Path c = fixtures().resolve("cases/txt2img__ddim");
        Path out = tmp.resolve("out/astronaut.png");
        Path latents = tmp.resolve("latents.npy");
        Run run = sd("txt2img", "--model", fixtures().resolve("models/tiny-sd").toString(),
                "--prompt", "a photograph of an astronaut riding a horse", "--negative", "blurry, low quality",
                "--steps", "10", "--guidance", "7.5", "--scheduler", "ddim", "--width", "64", "--height", "64",
                "--seed", "5", "--init-noise", c.resolve("init_latents.npy").toString(),
                "--latents-out", latents.toString(), "--out", out.toString(), "--quiet");
        assertThat(run.code()).as(run.err()).isZero();
        BufferedImage got = ImageIO.read(out.toFile());
        BufferedImage want = ImageIO.read(c.resolve("image_0.png").toFile());
        int max = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int p = got.getRGB(x, y);
                int q = want.getRGB(x, y);
                for (int s = 0; s <= 16; s += 8) {
                    max = Math.max(max, Math.abs(((p >> s) & 0xFF) - ((q >> s) & 0xFF)));
                }
            }
        }
        assertThat(max).as("grey levels off the diffusers PNG").isLessThanOrEqualTo(1);
        assertThat(PngWriter.readParameters(Files.readAllBytes(out)))
                .startsWith("a photograph of an astronaut riding a horse\nNegative prompt: blurry, low quality\nSteps: 10, Sampler: DDIM, CFG scale: 7.5, Seed: 5, Size: 64x64");
        assertThat(Npy.shape(latents)).containsExactly(1, 4, 32, 32);
        float[] ref = Npy.readFloats(c.resolve("final_latents.npy"));
        float[] mine = Npy.readFloats(latents);
        double num = 0;
        double den = 0;
        for (int i = 0; i < ref.length; i++) {
            num += (mine[i] - ref[i]) * (mine[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        assertThat(Math.sqrt(num / den)).isLessThan(1e-4);
    }

    @Test
    void countWritesNumberedFiles() {
        Path out = tmp.resolve("many.png");
        Run run = sd("txt2img", "--model", fixtures().resolve("models/tiny-sd").toString(), "--prompt", "x",
                "--steps", "1", "--width", "64", "--height", "64", "--count", "2", "--seed", "3", "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(tmp.resolve("many-0.png")).exists();
        assertThat(tmp.resolve("many-1.png")).exists();
    }
}
