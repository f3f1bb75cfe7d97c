package io.imaginefleet.bot.core;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Checks an attachment before anything decodes it: the type from its magic bytes (PNG, JPEG or WebP only), the pixel
 * dimensions from its header (so a decompression bomb is refused before its pixels exist), then a full decode of the
 * (now bounded) image so a truncated file is refused here rather than on a worker.
 */
public final class ImageProbe {

    /** What the probe found. */
    public record Info(String format, String extension, String contentType, int width, int height) {}

    private ImageProbe() {}

    /** Probes {@code bytes} of the attachment called {@code label} (e.g. "image", "mask"). */
    public static Info probe(String label, byte[] bytes, long maxPixels) throws InputRefusedException {
        if (bytes.length == 0) throw new InputRefusedException("The " + label + " is an empty file (0 bytes).");
        String format = sniff(bytes);
        if (format == null) {
            throw new InputRefusedException("The " + label + " is not a PNG, JPEG or WebP image"
                    + (looksLikeGif(bytes) ? " (it is a GIF)" : looksLikeSvg(bytes) ? " (it is an SVG)" : "") + ".");
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
        if (!readers.hasNext()) throw new InputRefusedException("The " + label + " is a " + format + " image, which this bot cannot read.");
        ImageReader reader = readers.next();
        int w;
        int h;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            w = reader.getWidth(0);
            h = reader.getHeight(0);
            if (w <= 0 || h <= 0) throw new InputRefusedException("The " + label + " has no pixels (" + w + "×" + h + ").");
            if ((long) w * h > maxPixels) {
                throw new InputRefusedException("The " + label + " is " + w + "×" + h + " pixels; at most " + maxPixels
                        + " pixels are accepted.");
            }
            // ImageIO's JPEG reader fills a cut-off scan with grey and only warns: a warning means truncated or corrupt
            boolean[] warned = new boolean[1];
            reader.addIIOReadWarningListener((src, warning) -> warned[0] = true);
            BufferedImage img = reader.read(0);
            if (img == null) throw new InputRefusedException("The " + label + " could not be decoded.");
            if (warned[0]) {
                throw new InputRefusedException("The " + label + " is not a readable " + format.toUpperCase() + " image (truncated or corrupt).");
            }
        } catch (IOException | RuntimeException e) {
            throw new InputRefusedException("The " + label + " is not a readable " + format.toUpperCase() + " image (truncated or corrupt).");
        } finally {
            reader.dispose();
        }
        return switch (format) {
            case "png" -> new Info(format, "png", "image/png", w, h);
            case "jpeg" -> new Info(format, "jpg", "image/jpeg", w, h);
            default -> new Info(format, "webp", "image/webp", w, h);
        };
    }

    static String sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "png";
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) return "jpeg";
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') return "webp";
        return null;
    }

    private static boolean looksLikeGif(byte[] b) {
        return b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8';
    }

    private static boolean looksLikeSvg(byte[] b) {
        String head = new String(b, 0, Math.min(b.length, 512), java.nio.charset.StandardCharsets.ISO_8859_1).toLowerCase();
        return head.contains("<svg");
    }
}
