package io.imaginefleet.engine.pipeline;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes PNGs carrying the generation parameters in a {@code parameters} tEXt chunk, the way AUTOMATIC1111's web UI
 * does, so tools that read A1111 metadata show prompt, sampler, seed and size.
 */
public final class PngWriter {

    private PngWriter() {
    }

    /**
     * The A1111 parameters text: {@code prompt\nNegative prompt: …\nSteps: N, Sampler: …, CFG scale: G, Seed: S,
     * Size: WxH, Model: …} (the negative prompt line only when there is one; extra {@code key: value} pairs appended).
     */
    public static String parameters(String prompt, String negativePrompt, int steps, String sampler, double guidance,
                                    long seed, int width, int height, String model, String... extra) {
        StringBuilder sb = new StringBuilder(prompt == null ? "" : prompt);
        if (negativePrompt != null && !negativePrompt.isEmpty()) {
            sb.append("\nNegative prompt: ").append(negativePrompt);
        }
        sb.append("\nSteps: ").append(steps)
                .append(", Sampler: ").append(sampler)
                .append(", CFG scale: ").append(formatNumber(guidance))
                .append(", Seed: ").append(seed)
                .append(", Size: ").append(width).append('x').append(height);
        if (model != null && !model.isEmpty()) {
            sb.append(", Model: ").append(model);
        }
        for (int i = 0; i + 1 < extra.length; i += 2) {
            sb.append(", ").append(extra[i]).append(": ").append(extra[i + 1]);
        }
        return sb.toString();
    }

    static String formatNumber(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%s", v);
    }

    /** PNG bytes of {@code image} with a {@code parameters} tEXt chunk (omitted when {@code parameters} is null). */
    public static byte[] toBytes(BufferedImage image, String parameters) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), null);
            if (parameters != null) {
                addText(metadata, "parameters", parameters);
            }
            writer.write(new IIOImage(image, null, metadata));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** Writes {@code image} to {@code file} with its parameters text. */
    public static void write(Path file, BufferedImage image, String parameters) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, toBytes(image, parameters));
    }

    /** The {@code parameters} tEXt value of a PNG, or null. */
    public static String readParameters(byte[] png) throws IOException {
        try (var in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(png))) {
            var reader = ImageIO.getImageReadersByFormatName("png").next();
            try {
                reader.setInput(in);
                IIOMetadata md = reader.getImageMetadata(0);
                IIOMetadataNode root = (IIOMetadataNode) md.getAsTree("javax_imageio_png_1.0");
                var entries = root.getElementsByTagName("tEXtEntry");
                for (int i = 0; i < entries.getLength(); i++) {
                    IIOMetadataNode e = (IIOMetadataNode) entries.item(i);
                    if ("parameters".equals(e.getAttribute("keyword"))) {
                        return e.getAttribute("value");
                    }
                }
                var itxt = root.getElementsByTagName("iTXtEntry");
                for (int i = 0; i < itxt.getLength(); i++) {
                    IIOMetadataNode e = (IIOMetadataNode) itxt.item(i);
                    if ("parameters".equals(e.getAttribute("keyword"))) {
                        return e.getAttribute("text");
                    }
                }
                return null;
            } finally {
                reader.dispose();
            }
        }
    }

    /** tEXt when the text is Latin-1, otherwise iTXt (UTF-8), as PIL's {@code PngInfo.add_text} does for A1111. */
    private static void addText(IIOMetadata metadata, String key, String value) throws IIOInvalidTreeException {
        IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
        if (value.chars().allMatch(c -> c <= 0xFF)) {
            IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
            entry.setAttribute("keyword", key);
            entry.setAttribute("value", value);
            IIOMetadataNode text = new IIOMetadataNode("tEXt");
            text.appendChild(entry);
            root.appendChild(text);
        } else {
            IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
            entry.setAttribute("keyword", key);
            entry.setAttribute("compressionFlag", "FALSE");
            entry.setAttribute("compressionMethod", "0");
            entry.setAttribute("languageTag", "");
            entry.setAttribute("translatedKeyword", "");
            entry.setAttribute("text", value);
            IIOMetadataNode text = new IIOMetadataNode("iTXt");
            text.appendChild(entry);
            root.appendChild(text);
        }
        metadata.mergeTree("javax_imageio_png_1.0", root);
    }
}
