package io.imaginefleet.engine.pipeline;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class PngWriterTest {

    @Test
    void writesTheA1111ParametersChunk() throws IOException {
        String params = PngWriter.parameters("a red cube", "blurry", 20, "DDIM", 7.5, 42, 512, 512, "sd15");
        assertThat(params).isEqualTo("a red cube\nNegative prompt: blurry\n"
                + "Steps: 20, Sampler: DDIM, CFG scale: 7.5, Seed: 42, Size: 512x512, Model: sd15");
        assertThat(PngWriter.parameters("p", null, 5, "Euler a", 7, 1, 64, 64, null))
                .isEqualTo("p\nSteps: 5, Sampler: Euler a, CFG scale: 7.0, Seed: 1, Size: 64x64");
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0x123456);
        byte[] png = PngWriter.toBytes(img, params);
        assertThat(PngWriter.readParameters(png)).isEqualTo(params);
        assertThat(ImageIO.read(new ByteArrayInputStream(png)).getRGB(1, 1) & 0xFFFFFF).isEqualTo(0x123456);
        String unicode = PngWriter.parameters("東京タワー 🙂", null, 1, "DDIM", 1, 0, 8, 8, null);
        assertThat(PngWriter.readParameters(PngWriter.toBytes(img, unicode))).isEqualTo(unicode);
    }
}
