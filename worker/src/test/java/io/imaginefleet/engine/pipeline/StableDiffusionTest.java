package io.imaginefleet.engine.pipeline;

import io.imaginefleet.engine.EngineOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.EnumSet;

import static io.imaginefleet.engine.pipeline.GenerationRequest.Mode.IMG2IMG;
import static io.imaginefleet.engine.pipeline.GenerationRequest.Mode.INPAINT;
import static io.imaginefleet.engine.pipeline.GenerationRequest.Mode.TXT2IMG;
import static io.imaginefleet.engine.pipeline.GenerationRequest.Mode.UPSCALE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The facade on the tiny fixture models: every mode, seeding, validation. */
class StableDiffusionTest {

    static StableDiffusion sd;
    static StableDiffusion inpaint;
    static StableDiffusion upscaler;

    static Path model(String name) {
        return Path.of(System.getProperty("fixtures.dir")).resolve("models").resolve(name);
    }

    @BeforeAll
    static void load() {
        sd = StableDiffusion.load(model("tiny-sd"), EngineOptions.cpu());
        inpaint = StableDiffusion.load(model("tiny-sd-inpaint"), EngineOptions.cpu());
        upscaler = StableDiffusion.load(model("tiny-sd-x4-upscaler"), EngineOptions.cpu());
    }

    @AfterAll
    static void close() {
        sd.close();
        inpaint.close();
        upscaler.close();
    }

    static GenerationRequest txt2img(long seed, int count) {
        return new GenerationRequest(TXT2IMG, "a red cube on a blue sphere", "blurry", 64, 64, 3, 7.5, "ddim", seed, count,
                1.0, null, null, 0);
    }

    static BufferedImage picture(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(40, 120, 200));
        g.fillRect(0, 0, w, h);
        g.setColor(Color.ORANGE);
        g.fillOval(w / 4, h / 4, w / 2, h / 2);
        g.dispose();
        return img;
    }

    static BufferedImage mask(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w / 2, h);
        g.dispose();
        return img;
    }

    static void assertSameImage(BufferedImage a, BufferedImage b) {
        assertThat(a.getWidth()).isEqualTo(b.getWidth());
        assertThat(a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth()))
                .containsExactly(b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth()));
    }

    @Test
    void modesFollowTheUNet() {
        assertThat(sd.supportedModes()).isEqualTo(EnumSet.of(TXT2IMG, IMG2IMG, INPAINT));
        assertThat(inpaint.supportedModes()).isEqualTo(EnumSet.of(INPAINT));
        assertThat(upscaler.supportedModes()).isEqualTo(EnumSet.of(UPSCALE));
    }

    @Test
    void imageIOfABatchEqualsASingleRunWithSeedPlusI() {
        int[] calls = {0};
        GenerationResult batch = sd.generate(txt2img(41, 2), (s, t) -> {
            calls[0]++;
            assertThat(t).isEqualTo(6);
        });
        GenerationResult single = sd.generate(txt2img(42, 1), ProgressListener.NONE);
        assertThat(calls[0]).isEqualTo(6);
        assertThat(batch.images()).hasSize(2);
        assertSameImage(batch.images().get(1), single.images().get(0));
        assertThat(batch.parameters().get(1)).isEqualTo("a red cube on a blue sphere\nNegative prompt: blurry\n"
                + "Steps: 3, Sampler: DDIM, CFG scale: 7.5, Seed: 42, Size: 64x64, Model: tiny-sd");
        assertThat(batch.timingsMillis()).containsKeys("text", "denoise", "decode");
        // a different seed gives a different picture
        GenerationResult other = sd.generate(txt2img(43, 1), ProgressListener.NONE);
        assertThat(other.images().get(0).getRGB(0, 0, 64, 64, null, 0, 64))
                .isNotEqualTo(single.images().get(0).getRGB(0, 0, 64, 64, null, 0, 64));
    }

    @Test
    void everyModeProducesItsSize() {
        GenerationResult i2i = sd.generate(new GenerationRequest(IMG2IMG, "castle", null, 0, 0, 4, 7.5, "euler-a", 1, 1,
                0.5, picture(70, 60), null, 0), ProgressListener.NONE);
        assertThat(i2i.images().get(0).getWidth()).isEqualTo(64);
        assertThat(i2i.images().get(0).getHeight()).isEqualTo(56);
        assertThat(i2i.parameters().get(0)).contains("Sampler: Euler a").contains("Denoising strength: 0.5");
        GenerationResult blend = sd.generate(new GenerationRequest(INPAINT, "fox", "ugly", 0, 0, 2, 7.5, null, 1, 1,
                0, picture(64, 64), mask(32, 32), 0), ProgressListener.NONE);
        assertThat(blend.images().get(0).getWidth()).isEqualTo(64);
        GenerationResult nine = inpaint.generate(new GenerationRequest(INPAINT, "fox", null, 64, 64, 2, 1.0, "dpmpp-2m", 1, 1,
                1.0, picture(80, 80), mask(64, 64), 0), ProgressListener.NONE);
        assertThat(nine.images().get(0).getWidth()).isEqualTo(64);
        StableDiffusion.Detailed legacy = sd.generate(new GenerationRequest(INPAINT, "fox", null, 0, 0, 4, 7.5, "ddim", 1, 1,
                0.75, picture(64, 64), mask(64, 64), 0), ProgressListener.NONE, StableDiffusion.GivenNoise.NONE, true);
        assertThat(legacy.result().images()).hasSize(1);
        assertThat(legacy.latentShape()).containsExactly(1, 4, 32, 32);
        GenerationResult up = upscaler.generate(new GenerationRequest(UPSCALE, "sharp", null, 0, 0, 2, 7.5, null, 1, 1,
                1.0, picture(32, 24), null, 20), ProgressListener.NONE);
        assertThat(up.images().get(0).getWidth()).isEqualTo(128);
        assertThat(up.images().get(0).getHeight()).isEqualTo(96);
        assertThat(up.parameters().get(0)).contains("Noise level: 20");
    }

    @Test
    void badRequestsGetClearErrors() {
        assertThatThrownBy(() -> sd.generate(new GenerationRequest(TXT2IMG, "x", null, 65, 64, 2, 7.5, null, 1, 1, 1, null, null, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples of 8").hasMessageContaining("65x64");
        assertThatThrownBy(() -> sd.generate(new GenerationRequest(TXT2IMG, "x", null, 4096, 4096, 2, 7.5, null, 1, 1, 1, null, null, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("over the limit");
        assertThatThrownBy(() -> sd.generate(new GenerationRequest(TXT2IMG, "x", null, 64, 64, 0, 7.5, null, 1, 1, 1, null, null, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("steps must be between 1 and 150, got 0");
        assertThatThrownBy(() -> sd.generate(new GenerationRequest(TXT2IMG, "x", null, 64, 64, 2, 7.5, "magic", 1, 1, 1, null, null, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheduler must be one of");
        assertThatThrownBy(() -> sd.generate(new GenerationRequest(TXT2IMG, "x", null, 64, 64, 2, 7.5, null, 1, 99, 1, null, null, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count must be between 1 and 8");
        assertThatThrownBy(() -> sd.generate(new GenerationRequest(UPSCALE, "x", null, 0, 0, 2, 7.5, null, 1, 1, 1, picture(32, 32), null, 20), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot do upscale");
        assertThatThrownBy(() -> sd.generate(new GenerationRequest(IMG2IMG, "x", null, 0, 0, 2, 7.5, null, 1, 1, 0.5, null, null, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("init image is required");
        assertThatThrownBy(() -> sd.generate(new GenerationRequest(IMG2IMG, "x", null, 0, 0, 2, 7.5, null, 1, 1, 1.5, picture(64, 64), null, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strength must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> sd.generate(new GenerationRequest(INPAINT, "x", null, 0, 0, 2, 7.5, null, 1, 1, 1,
                picture(64, 64), new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB), 0), null))
                .isInstanceOf(ImageInputException.class).hasMessageContaining("mask is all black");
        assertThatThrownBy(() -> upscaler.generate(new GenerationRequest(UPSCALE, "x", null, 0, 0, 2, 7.5, null, 1, 1, 1, picture(1024, 1024), null, 20), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 262144 pixels");
        assertThatThrownBy(() -> upscaler.generate(new GenerationRequest(UPSCALE, "x", null, 0, 0, 2, 7.5, null, 1, 1, 1, picture(32, 32), null, 351), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("noise level must be between 0 and 350, got 351");
    }

    @Test
    void aListenerThatThrowsCancelsAndTheModelStaysUsable() {
        assertThatThrownBy(() -> sd.generate(txt2img(1, 1), (s, t) -> {
            if (s == 2) {
                throw new IllegalStateException("cancelled");
            }
        })).hasMessage("cancelled");
        assertThat(sd.generate(txt2img(1, 1), null).images()).hasSize(1);
    }
}
