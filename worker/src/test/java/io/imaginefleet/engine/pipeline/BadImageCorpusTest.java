package io.imaginefleet.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad-input corpus, image inputs (attachments copied to S3 and read by the worker): each must be refused with an
 * {@link ImageInputException} whose text names the input and says what is wrong, before any large allocation.
 * Complements {@link ImageInputTest} (empty, truncated PNG/JPEG, text, SVG, animated GIF, 20000×20000 PNG header).
 */
class BadImageCorpusTest {
    static final long LIMIT = ImageInput.DEFAULT_MAX_PIXELS;

    static Stream<Arguments> corpus() {
        return Stream.of(
                Arguments.of("bmp.bmp", (Supplier<byte[]>) () -> encode(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "bmp"),
                        "bmp.bmp is a bmp file; send a PNG, JPEG or WebP picture"),
                Arguments.of("scan.tiff", (Supplier<byte[]>) () -> encode(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), "tiff"),
                        "scan.tiff is a tif file; send a PNG, JPEG or WebP picture"),
                Arguments.of("page.html", text("<!doctype html><html><body><img src=x></body></html>"),
                        "page.html is not a picture we can read (PNG, JPEG or WebP)"),
                Arguments.of("doc.pdf", text("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"),
                        "doc.pdf is not a picture we can read (PNG, JPEG or WebP)"),
                Arguments.of("random.bin", (Supplier<byte[]>) () -> {
                    byte[] b = new byte[4096];
                    new java.util.Random(1).nextBytes(b);
                    return b;
                }, "random.bin is not a picture we can read (PNG, JPEG or WebP)"),
                Arguments.of("bare.svg", text("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>"),
                        "bare.svg is an SVG drawing; send a PNG, JPEG or WebP picture"),
                Arguments.of("padded.svg", text("\n\n   <svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\" height=\"1\"/></svg>"),
                        "padded.svg is an SVG drawing"),
                Arguments.of("signature.png", (Supplier<byte[]>) () -> Arrays.copyOf(png(8, 8, new byte[8 * 9 * 3], 2), 8),
                        "signature.png is truncated or corrupt"),
                Arguments.of("soi.jpg", (Supplier<byte[]>) () -> new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF},
                        "soi.jpg is truncated or corrupt"),
                Arguments.of("bomb.png", (Supplier<byte[]>) () -> zeroPng(6000, 6000),
                        "bomb.png is 6000x6000 = 36000000 pixels, over the limit of " + LIMIT + " pixels"),
                Arguments.of("tall.png", (Supplier<byte[]>) () -> headerOnlyPng(1, 100_000_000),
                        "tall.png is 1x100000000 = 100000000 pixels, over the limit"),
                Arguments.of("huge.jpg", (Supplier<byte[]>) () -> jpegHeader(20000, 20000),
                        "huge.jpg is 20000x20000 = 400000000 pixels, over the limit"),
                Arguments.of("zero.png", (Supplier<byte[]>) () -> headerOnlyPng(0, 64), "zero.png"),
                Arguments.of("badcrc.png", (Supplier<byte[]>) () -> {
                    byte[] p = encode(noise(32, 32), "png");
                    for (int i = 60; i < p.length - 20; i += 7) p[i] ^= 0x5A;
                    return p;
                }, "badcrc.png is truncated or corrupt"),
                Arguments.of("cut.webp", (Supplier<byte[]>) () -> {
                    byte[] w = java.util.Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");
                    return Arrays.copyOf(w, w.length / 2);
                }, "cut.webp is truncated or corrupt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refusedWithATextThatNamesTheInput(String name, Supplier<byte[]> bytes, String expected) {
        byte[] data = bytes.get();
        assertThat(data).isNotEmpty();
        assertThatThrownBy(() -> ImageInput.decode(data, name, LIMIT))
                .isInstanceOf(ImageInputException.class)
                .hasMessageContaining(expected);
    }

    static Supplier<byte[]> text(String s) {
        return () -> s.getBytes(StandardCharsets.UTF_8);
    }

    static BufferedImage noise(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(3);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, r.nextInt());
        return img;
    }

    static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) throw new IllegalStateException("no writer for " + format);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A real, valid PNG of zero bytes (grey, 8 bit): a decompression bomb of a few kilobytes. */
    static byte[] zeroPng(int w, int h) {
        Deflater d = new Deflater(9);
        byte[] row = new byte[w + 1];
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int y = 0; y < h; y++) {
            d.setInput(row);
            int n;
            while ((n = d.deflate(buf, 0, buf.length, Deflater.NO_FLUSH)) > 0) z.write(buf, 0, n);
        }
        d.finish();
        int n;
        while ((n = d.deflate(buf)) > 0) z.write(buf, 0, n);
        d.end();
        return png(w, h, z.toByteArray(), 0, true);
    }

    static byte[] headerOnlyPng(int w, int h) {
        return png(w, h, new byte[0], 2, false);
    }

    static byte[] png(int w, int h, byte[] raw, int colorType) {
        Deflater d = new Deflater();
        d.setInput(raw);
        d.finish();
        byte[] buf = new byte[raw.length + 64];
        int n = d.deflate(buf);
        d.end();
        return png(w, h, Arrays.copyOf(buf, n), colorType, true);
    }

    static byte[] png(int w, int h, byte[] idat, int colorType, boolean withData) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) colorType)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        if (withData) chunk(out, "IDAT", idat);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** SOI + baseline SOF0 claiming w×h, 3 components, an SOS header and EOI: no tables, no scan data. */
    static byte[] jpegHeader(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(2 + 19 + 14 + 2);
        b.put((byte) 0xFF).put((byte) 0xD8);
        b.put((byte) 0xFF).put((byte) 0xC0).putShort((short) 17).put((byte) 8).putShort((short) h).putShort((short) w).put((byte) 3);
        for (int c = 1; c <= 3; c++) b.put((byte) c).put((byte) 0x11).put((byte) 0);
        b.put((byte) 0xFF).put((byte) 0xDA).putShort((short) 12).put((byte) 3);
        for (int c = 1; c <= 3; c++) b.put((byte) c).put((byte) 0);
        b.put((byte) 0).put((byte) 63).put((byte) 0);
        b.put((byte) 0xFF).put((byte) 0xD9);
        return b.array();
    }
}
