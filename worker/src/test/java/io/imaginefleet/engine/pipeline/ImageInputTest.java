package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageInputTest {

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).isTrue();
        return out.toByteArray();
    }

    static BufferedImage solid(int w, int h, Color c, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    @Test
    void decodesPngAndJpeg() throws IOException {
        BufferedImage png = ImageInput.decode(encode(solid(40, 24, new Color(10, 200, 30), BufferedImage.TYPE_INT_RGB), "png"), "a.png", 10_000);
        assertThat(png.getWidth()).isEqualTo(40);
        assertThat(png.getRGB(3, 3) & 0xFFFFFF).isEqualTo(0x0AC81E);
        BufferedImage jpg = ImageInput.decode(encode(solid(16, 16, Color.RED, BufferedImage.TYPE_INT_RGB), "jpeg"), "a.jpg", 10_000);
        assertThat((jpg.getRGB(8, 8) >> 16) & 0xFF).isGreaterThan(240);
    }

    @Test
    void decodesWebP() {
        // 1x1 lossy and lossless WebP (the well-known feature-detection images)
        byte[] lossy = Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");
        byte[] lossless = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
        assertThat(ImageInput.decode(lossy, "a.webp", 100).getWidth()).isEqualTo(1);
        assertThat(ImageInput.decode(lossless, "b.webp", 100).getHeight()).isEqualTo(1);
    }

    @Test
    void alphaIsFlattenedOnWhite() throws IOException {
        BufferedImage transparent = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        BufferedImage out = ImageInput.decode(encode(transparent, "png"), "t.png", 100);
        assertThat(out.getRGB(2, 2) & 0xFFFFFF).isEqualTo(0xFFFFFF);
    }

    @Test
    void refusesOversizedImagesFromTheHeaderBeforeDecoding() {
        // A PNG header claiming 20000x20000 followed by no pixel data: must be refused by size, not decoded.
        byte[] bomb = pngHeaderOnly(20000, 20000);
        assertThatThrownBy(() -> ImageInput.decode(bomb, "bomb.png", ImageInput.DEFAULT_MAX_PIXELS))
                .isInstanceOf(ImageInputException.class)
                .hasMessageContaining("bomb.png is 20000x20000")
                .hasMessageContaining("over the limit");
    }

    @Test
    void refusesEmptyTruncatedNonImagesSvgAndAnimatedGif() throws IOException {
        assertThatThrownBy(() -> ImageInput.decode(new byte[0], "empty.png", 100))
                .isInstanceOf(ImageInputException.class).hasMessage("empty.png is empty (0 bytes)");
        byte[] png = encode(solid(64, 64, Color.BLUE, BufferedImage.TYPE_INT_RGB), "png");
        assertThatThrownBy(() -> ImageInput.decode(Arrays.copyOf(png, png.length / 2), "cut.png", 100_000))
                .isInstanceOf(ImageInputException.class).hasMessageContaining("cut.png is truncated or corrupt");
        byte[] jpg = encode(noise(64, 64), "jpeg");
        assertThatThrownBy(() -> ImageInput.decode(Arrays.copyOf(jpg, jpg.length / 2), "cut.jpg", 100_000))
                .isInstanceOf(ImageInputException.class).hasMessageContaining("cut.jpg is truncated or corrupt");
        assertThatThrownBy(() -> ImageInput.decode("hello, not a picture".getBytes(StandardCharsets.UTF_8), "x.txt", 100))
                .isInstanceOf(ImageInputException.class).hasMessageContaining("x.txt is not a picture we can read");
        byte[] svg = "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ImageInput.decode(svg, "d.svg", 100))
                .isInstanceOf(ImageInputException.class).hasMessageContaining("d.svg is an SVG drawing");
        assertThatThrownBy(() -> ImageInput.decode(animatedGif(), "anim.gif", 100_000))
                .isInstanceOf(ImageInputException.class).hasMessageContaining("anim.gif is an animated GIF");
    }

    @Test
    void exifOrientationRotatesAndMirrors() {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000); // marker at top-left
        BufferedImage r6 = ImageInput.orient(img, 6); // 90° clockwise
        assertThat(r6.getWidth()).isEqualTo(2);
        assertThat(r6.getHeight()).isEqualTo(3);
        assertThat(r6.getRGB(1, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
        BufferedImage r8 = ImageInput.orient(img, 8); // 90° counter-clockwise
        assertThat(r8.getRGB(0, 2) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(ImageInput.orient(img, 3).getRGB(2, 1) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(ImageInput.orient(img, 2).getRGB(2, 0) & 0xFFFFFF).isEqualTo(0xFF0000);
        assertThat(ImageInput.orient(img, 7).getRGB(1, 2) & 0xFFFFFF).isEqualTo(0xFF0000);
    }

    @Test
    void snapsDownToMultiplesOf8AndConvertsToMinusOneOne() {
        BufferedImage img = ImageInput.snapToMultipleOf8(solid(70, 45, Color.WHITE, BufferedImage.TYPE_INT_RGB));
        assertThat(img.getWidth()).isEqualTo(64);
        assertThat(img.getHeight()).isEqualTo(40);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = ImageInput.toTensor(m, img);
            assertThat(x.getShape().getShape()).containsExactly(1, 3, 40, 64);
            assertThat(x.max().getFloat()).isEqualTo(1f);
            BufferedImage back = ImageInput.fromTensor01(x.add(1).div(2).get(0));
            assertThat(back.getRGB(5, 5) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        }
        assertThatThrownBy(() -> ImageInput.snapToMultipleOf8(solid(5, 40, Color.WHITE, BufferedImage.TYPE_INT_RGB)))
                .isInstanceOf(ImageInputException.class).hasMessageContaining("too small");
    }

    static BufferedImage noise(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        SeededNoise n = new SeededNoise(1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (int) (n.nextLong() & 0xFFFFFF));
            }
        }
        return img;
    }

    static byte[] pngHeaderOnly(int w, int h) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).order(ByteOrder.BIG_ENDIAN);
        ihdr.putInt(w).putInt(h).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteBuffer out = ByteBuffer.allocate(8 + 12 + 13).order(ByteOrder.BIG_ENDIAN);
        out.put(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        out.putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).put(ihdr.array());
        CRC32 crc = new CRC32();
        crc.update("IHDR".getBytes(StandardCharsets.US_ASCII));
        crc.update(ihdr.array());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    static byte[] animatedGif() throws IOException {
        var writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (Color c : new Color[]{Color.RED, Color.GREEN}) {
                writer.writeToSequence(new javax.imageio.IIOImage(solid(8, 8, c, BufferedImage.TYPE_INT_RGB), null, null), null);
            }
            writer.endWriteSequence();
        }
        writer.dispose();
        return bytes.toByteArray();
    }
}
