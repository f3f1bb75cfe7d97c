package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;

/**
 * Turns user pictures into pipeline inputs, safely: PNG, JPEG, WebP (and single-frame GIF) only; dimensions are read
 * from the header and checked against a pixel limit before any pixel is decoded (no decompression bombs); truncated
 * or corrupt files, animated GIFs, SVG and other non-images are refused with a clear {@link ImageInputException}.
 * EXIF orientation is applied and alpha is flattened on white. Sizes are snapped down to multiples of 8 like diffusers'
 * {@code VaeImageProcessor}.
 */
public final class ImageInput {

    /** Default pixel limit of a decoded input picture (4096 × 4096). */
    public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

    private ImageInput() {
    }

    /** Reads a file; see {@link #decode(byte[], String, long)}. */
    public static BufferedImage read(Path file, long maxPixels) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageInputException("cannot read image file " + file + ": " + e.getMessage(), e);
        }
        return decode(bytes, file.getFileName().toString(), maxPixels);
    }

    /**
     * Decodes {@code bytes} (named {@code what} in messages) to an RGB image, oriented per EXIF, alpha flattened on
     * white. Refuses more than {@code maxPixels} pixels before decoding.
     */
    public static BufferedImage decode(byte[] bytes, String what, long maxPixels) {
        if (bytes == null || bytes.length == 0) {
            throw new ImageInputException(what + " is empty (0 bytes)");
        }
        if (looksLikeSvg(bytes)) {
            throw new ImageInputException(what + " is an SVG drawing; send a PNG, JPEG or WebP picture");
        }
        BufferedImage decoded;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (in == null || !readers.hasNext()) {
                throw new ImageInputException(what + " is not a picture we can read (PNG, JPEG or WebP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, false, true);
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!(format.equals("png") || format.contains("jpeg") || format.equals("jpg") || format.equals("webp")
                        || format.equals("gif"))) {
                    throw new ImageInputException(what + " is a " + format + " file; send a PNG, JPEG or WebP picture");
                }
                if (format.equals("gif") && reader.getNumImages(true) > 1) {
                    throw new ImageInputException(what + " is an animated GIF; send a single PNG, JPEG or WebP picture");
                }
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw new ImageInputException(what + " has no pixels (" + w + "x" + h + ")");
                }
                if (w * h > maxPixels) {
                    throw new ImageInputException(what + " is " + w + "x" + h + " = " + (w * h)
                            + " pixels, over the limit of " + maxPixels + " pixels");
                }
                String[] warning = new String[1];
                reader.addIIOReadWarningListener((src, msg) -> {
                    if (warning[0] == null) {
                        warning[0] = msg;
                    }
                });
                decoded = reader.read(0);
                if (warning[0] != null) {
                    throw new ImageInputException(what + " is truncated or corrupt (" + warning[0] + ")");
                }
            } finally {
                reader.dispose();
            }
        } catch (ImageInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageInputException(what + " is truncated or corrupt (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        if (decoded == null) {
            throw new ImageInputException(what + " could not be decoded");
        }
        return flatten(orient(decoded, exifOrientation(bytes)), Color.WHITE);
    }

    private static boolean looksLikeSvg(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 512), StandardCharsets.ISO_8859_1)
                .trim().toLowerCase(Locale.ROOT);
        return head.startsWith("<svg") || (head.startsWith("<?xml") && head.contains("<svg"))
                || head.contains("<!doctype svg");
    }

    /** EXIF orientation 1..8 (1 when absent or unreadable). */
    static int exifOrientation(byte[] bytes) {
        try {
            Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(bytes), bytes.length);
            ExifIFD0Directory dir = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (dir != null && dir.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                int o = dir.getInt(ExifIFD0Directory.TAG_ORIENTATION);
                return o >= 1 && o <= 8 ? o : 1;
            }
        } catch (Exception | StackOverflowError e) {
            // no or broken metadata: keep the image as stored
        }
        return 1;
    }

    /** Applies an EXIF orientation (1 = as stored, 3 = 180°, 6 = 90° clockwise, 8 = 90° counter-clockwise, 2/4/5/7 mirrored). */
    static BufferedImage orient(BufferedImage src, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return src;
        }
        int w = src.getWidth();
        int h = src.getHeight();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        int[] in = src.getRGB(0, 0, w, h, null, 0, w);
        int[] out = new int[in.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                out[y * ow + x] = in[sy * w + sx];
            }
        }
        BufferedImage o = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_ARGB);
        o.setRGB(0, 0, ow, oh, out, 0, ow);
        return o;
    }

    /** An opaque RGB copy, transparent pixels composited over {@code background}. */
    public static BufferedImage flatten(BufferedImage src, Color background) {
        if (src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(background);
            g.fillRect(0, 0, src.getWidth(), src.getHeight());
            g.drawImage(src, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Largest multiple of {@code multiple} not above {@code size} (diffusers' {@code x - x % vae_scale_factor}). */
    public static int snapDown(int size, int multiple) {
        return size - size % multiple;
    }

    /**
     * The image resized to {@code width × height} (bicubic; unchanged when already that size). Refuses sizes
     * that snap to nothing.
     */
    public static BufferedImage resize(BufferedImage src, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new ImageInputException("image of " + src.getWidth() + "x" + src.getHeight()
                    + " is too small (needs at least 8x8 pixels)");
        }
        if (src.getWidth() == width && src.getHeight() == height) {
            return src;
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(src, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Resizes down to the nearest multiples of 8 (as diffusers' image processor does before the VAE). */
    public static BufferedImage snapToMultipleOf8(BufferedImage src) {
        return resize(src, snapDown(src.getWidth(), 8), snapDown(src.getHeight(), 8));
    }

    /** RGB in [0,1] as {@code [1,3,H,W]} float32 (values k/255). */
    public static NDArray toTensor01(NDManager manager, BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        float[] data = new float[3 * w * h];
        int plane = w * h;
        for (int i = 0; i < plane; i++) {
            int p = rgb[i];
            data[i] = ((p >> 16) & 0xFF) / 255f;
            data[plane + i] = ((p >> 8) & 0xFF) / 255f;
            data[2 * plane + i] = (p & 0xFF) / 255f;
        }
        return manager.create(data, new Shape(1, 3, h, w));
    }

    /** RGB as the VAE takes it: {@code 2*x-1} in [-1,1], {@code [1,3,H,W]}. */
    public static NDArray toTensor(NDManager manager, BufferedImage image) {
        NDArray x01 = toTensor01(manager, image);
        NDArray x = x01.mul(2f).sub(1f);
        x01.close();
        return x;
    }

    /** One image {@code [3,H,W]} (or {@code [1,3,H,W]}) in [0,1] to RGB, {@code round(x*255)} as diffusers' numpy_to_pil. */
    public static BufferedImage fromTensor01(NDArray image) {
        Shape s = image.getShape();
        int h = (int) s.get(s.dimension() - 2);
        int w = (int) s.get(s.dimension() - 1);
        float[] data = image.toFloatArray();
        int plane = w * h;
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            rgb[i] = (toByte(data[i]) << 16) | (toByte(data[plane + i]) << 8) | toByte(data[2 * plane + i]);
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }

    private static int toByte(float v) {
        // numpy: (image * 255).round().astype("uint8") after clamping to [0,1]; round half to even
        float c = Math.max(0f, Math.min(1f, v));
        return (int) Math.rint(c * 255f);
    }
}
