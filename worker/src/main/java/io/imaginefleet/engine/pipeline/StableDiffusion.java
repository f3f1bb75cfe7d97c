package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.scheduler.Scheduler;
import io.imaginefleet.engine.unet.UNetConfig;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One loaded diffusers model folder, ready to generate: the entry point of the worker and the {@code sd} command line.
 * Loads every component once ({@link #load}); {@link #generate} runs one request at a time (synchronised).
 *
 * <p>Modes by UNet: {@code in_channels} 4 → TXT2IMG, IMG2IMG, INPAINT (4-channel mask blend); 9 → INPAINT;
 * 7 with {@code num_class_embeds} → UPSCALE (x4). Sizes: TXT2IMG uses {@code width × height}; IMG2IMG and INPAINT
 * use the init image's own size snapped down to multiples of 8 when width/height are 0, otherwise the image is
 * resized to {@code width × height}; images over {@link Limits#maxPixels()} are scaled down to fit. UPSCALE ignores
 * width/height: the output is 4× the (snapped) input, which may have at most {@link Limits#maxUpscaleInputPixels()}.
 *
 * <p>Noise: image {@code i} of a request draws from {@link SeededNoise} seeded {@code seed + i}, in the order diffusers
 * draws (upscale: low-res noise, then latents; then every sampler draw), so any image can be regenerated alone.
 * Invalid requests throw {@link IllegalArgumentException}, unusable pictures {@link ImageInputException}, both with
 * a message fit for the user.
 */
public final class StableDiffusion implements AutoCloseable {

    /** Scheduler names accepted by requests (besides null/"default": the model's own). */
    public static final List<String> SCHEDULERS = List.of("ddim", "pndm", "lms", "euler", "euler-a", "dpmpp-2m",
            "dpmpp-2m-karras", "ddpm");

    /**
     * Request limits.
     *
     * @param maxPixels             largest generated image (width × height)
     * @param maxUpscaleInputPixels largest low-res input of the x4 upscaler
     * @param maxSteps              most denoising steps
     * @param maxCount              most images per request
     */
    public record Limits(long maxPixels, long maxUpscaleInputPixels, int maxSteps, int maxCount) {
        public static Limits defaults() {
            return new Limits(1024L * 1024L, 512L * 512L, 150, 8);
        }
    }

    /**
     * Noise tensors given by the caller instead of the seeded generator ({@code sd --init-noise …}); null fields are
     * drawn as usual. Each is {@code [count,…]} or {@code [1,…]} for a single image.
     *
     * @param initial     txt2img / inpaint (strength 1) / upscale initial latents; img2img / legacy inpaint noise
     * @param lowRes      the upscaler's low-res noise {@code [n,3,h,w]}
     */
    public record GivenNoise(NDArray initial, NDArray lowRes) {
        public static final GivenNoise NONE = new GivenNoise(null, null);
    }

    /** A result with the final latents of every image ({@code [count,4,h,w]}, row-major) for {@code --latents-out}. */
    public record Detailed(GenerationResult result, float[] finalLatents, long[] latentShape) {
    }

    private final ModelComponents model;
    private final String name;
    private final Limits limits;
    private final Set<GenerationRequest.Mode> modes;

    private StableDiffusion(ModelComponents model, Limits limits) {
        this.model = model;
        this.limits = limits;
        Path file = model.dir().toAbsolutePath().normalize().getFileName();
        this.name = file == null ? "model" : file.toString();
        this.modes = modesOf(model.unet().config());
        model.tokenizer();
        model.textEncoder();
        model.vae();
        if (modes.contains(GenerationRequest.Mode.UPSCALE)) {
            model.newLowResScheduler();
        }
        model.newScheduler();
    }

    /** Loads every component of {@code modelDir}. */
    public static StableDiffusion load(Path modelDir, EngineOptions options) {
        return load(modelDir, options, Limits.defaults());
    }

    /** Loads every component of {@code modelDir} with the given request limits. */
    public static StableDiffusion load(Path modelDir, EngineOptions options, Limits limits) {
        ModelComponents model = ModelComponents.open(modelDir, options);
        try {
            return new StableDiffusion(model, limits);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    static Set<GenerationRequest.Mode> modesOf(UNetConfig unet) {
        int in = unet.inChannels();
        Integer classes = unet.numClassEmbeds();
        if (in == 4) {
            return Collections.unmodifiableSet(EnumSet.of(GenerationRequest.Mode.TXT2IMG, GenerationRequest.Mode.IMG2IMG,
                    GenerationRequest.Mode.INPAINT));
        }
        if (in == 9) {
            return Collections.unmodifiableSet(EnumSet.of(GenerationRequest.Mode.INPAINT));
        }
        if (in == 7 && classes != null && classes > 0) {
            return Collections.unmodifiableSet(EnumSet.of(GenerationRequest.Mode.UPSCALE));
        }
        return Collections.unmodifiableSet(EnumSet.noneOf(GenerationRequest.Mode.class));
    }

    /** What this model can do. */
    public Set<GenerationRequest.Mode> supportedModes() {
        return modes;
    }

    /** The model folder's name (used in the PNG parameters). */
    public String name() {
        return name;
    }

    public Limits limits() {
        return limits;
    }

    /** The loaded components (lower-level pipelines, conformance, benchmarks). */
    public ModelComponents components() {
        return model;
    }

    /** Generates the request's images with seeded noise. */
    public GenerationResult generate(GenerationRequest request, ProgressListener progress) {
        return generate(request, progress, GivenNoise.NONE, false).result();
    }

    /**
     * Generates with optional given noise; {@code legacyInpaint} runs INPAINT through diffusers'
     * {@code StableDiffusionInpaintPipelineLegacy} (4-channel models, uses {@code strength}).
     */
    public synchronized Detailed generate(GenerationRequest request, ProgressListener progress, GivenNoise given,
                                          boolean legacyInpaint) {
        Prepared p = validate(request, legacyInpaint);
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        GivenNoise noise = given == null ? GivenNoise.NONE : given;
        int count = request.count();
        long textMs = 0;
        long denoiseMs = 0;
        long decodeMs = 0;
        List<BufferedImage> images = new ArrayList<>();
        List<String> parameters = new ArrayList<>();
        float[] latentsOut = null;
        long[] latentShape = null;
        try (NDManager manager = NDManager.newBaseManager(model.options().device())) {
            long t0 = System.nanoTime();
            boolean guided = request.guidance() > 1.0;
            EncodedPrompts prompts = EncodedPrompts.encode(model, manager, List.of(request.prompt()),
                    request.negativePrompt() == null ? null : List.of(request.negativePrompt()), guided, 0);
            textMs += (System.nanoTime() - t0) / 1_000_000;
            for (int i = 0; i < count; i++) {
                final int index = i;
                try (NDManager scope = manager.newSubManager()) {
                    long seed = request.seed() + i;
                    SeededNoise.Batch stream = new SeededNoise.Batch(seed, 1);
                    Scheduler scheduler = model.newScheduler(request.scheduler());
                    int[] perImage = {0};
                    ProgressListener step = (s, total) -> {
                        perImage[0] = total;
                        listener.onStep(index * total + s, count * total);
                    };
                    long[] decodeStart = {0};
                    Denoiser.Observer observer = (s, latents) -> decodeStart[0] = System.nanoTime();
                    Denoising d = new Denoising(scheduler, request.steps(), request.guidance(), stream, observer, step);
                    long start = System.nanoTime();
                    PipelineOutput out = run(p, request, prompts, d, stream, noise, i, legacyInpaint, scope);
                    long end = System.nanoTime();
                    long denoiseEnd = decodeStart[0] == 0 ? end : decodeStart[0];
                    denoiseMs += (denoiseEnd - start) / 1_000_000;
                    decodeMs += (end - denoiseEnd) / 1_000_000;
                    BufferedImage image = ImageInput.fromTensor01(out.image().get(0));
                    images.add(image);
                    parameters.add(PngWriter.parameters(request.prompt(), guided ? request.negativePrompt() : null,
                            request.steps(), samplerName(request.scheduler(), scheduler), request.guidance(), seed,
                            image.getWidth(), image.getHeight(), name, extra(request, legacyInpaint)));
                    float[] fl = out.finalLatents().toFloatArray();
                    if (latentsOut == null) {
                        latentShape = out.finalLatents().getShape().getShape().clone();
                        latentShape[0] = count;
                        latentsOut = new float[fl.length * count];
                    }
                    System.arraycopy(fl, 0, latentsOut, i * fl.length, fl.length);
                }
            }
        }
        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("text", textMs);
        timings.put("denoise", denoiseMs);
        timings.put("decode", decodeMs);
        return new Detailed(new GenerationResult(List.copyOf(images), request.seed(), timings, List.copyOf(parameters)),
                latentsOut, latentShape);
    }

    private static String[] extra(GenerationRequest r, boolean legacy) {
        return switch (r.mode()) {
            case IMG2IMG -> new String[]{"Denoising strength", fmt(r.strength())};
            case INPAINT -> legacy || (r.strength() > 0 && r.strength() < 1.0) ? new String[]{"Denoising strength", fmt(r.strength()), "Mode", "inpaint"}
                    : new String[]{"Mode", "inpaint"};
            case UPSCALE -> new String[]{"Noise level", Integer.toString(r.noiseLevel()), "Mode", "upscale x4"};
            default -> new String[0];
        };
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }

    private PipelineOutput run(Prepared p, GenerationRequest r, EncodedPrompts prompts, Denoising d,
                               SeededNoise.Batch stream, GivenNoise given, int index, boolean legacy, NDManager m) {
        Shape latentShape = new Shape(1, 4, p.latentHeight, p.latentWidth);
        switch (r.mode()) {
            case TXT2IMG -> {
                return Txt2ImgPipeline.run(model, prompts, d, noise(given.initial(), index, stream, m, latentShape), m);
            }
            case IMG2IMG -> {
                NDArray image = ImageInput.toTensor(m, p.image);
                return Img2ImgPipeline.run(model, prompts, d, image, p.strength,
                        noise(given.initial(), index, stream, m, latentShape), m);
            }
            case INPAINT -> {
                NDArray image = ImageInput.toTensor(m, p.image);
                NDArray mask = MaskInput.toTensor(m, p.mask, p.image.getWidth(), p.image.getHeight());
                NDArray noise = noise(given.initial(), index, stream, m, latentShape);
                return legacy ? LegacyInpaintPipeline.run(model, prompts, d, image, mask, p.strength, noise, m)
                        : InpaintPipeline.run(model, prompts, d, image, mask, p.strength, noise, m);
            }
            case UPSCALE -> {
                NDArray lowRes = ImageInput.toTensor(m, p.image);
                NDArray lowResNoise = noise(given.lowRes(), index, stream, m, lowRes.getShape());
                NDArray latents = noise(given.initial(), index, stream, m, latentShape);
                return UpscalePipeline.run(model, prompts, d, lowRes, r.noiseLevel(), lowResNoise, latents, m);
            }
            default -> throw new IllegalArgumentException("unsupported mode " + r.mode());
        }
    }

    /** Given noise (slice {@code index}, or the only one) or a draw from the image's stream. */
    private static NDArray noise(NDArray given, int index, SeededNoise.Batch stream, NDManager m, Shape shape) {
        if (given == null) {
            return stream.next(m, shape);
        }
        long n = given.getShape().get(0);
        NDArray one = n == 1 ? given : given.get(index);
        Shape s = n == 1 ? one.getShape() : new Shape(1).addAll(one.getShape());
        if (!s.equals(shape)) {
            throw new IllegalArgumentException("given noise has shape " + given.getShape() + ", this request needs "
                    + shape + (n > 1 ? " per image" : ""));
        }
        NDArray copy = m.create(one.toFloatArray(), shape);
        return copy;
    }

    /** A request checked and its pictures prepared. */
    private static final class Prepared {
        BufferedImage image;
        float[] mask;
        double strength;
        int latentWidth;
        int latentHeight;
    }

    private Prepared validate(GenerationRequest r, boolean legacy) {
        if (r == null || r.mode() == null) {
            throw new IllegalArgumentException("mode is required (txt2img, img2img, inpaint or upscale)");
        }
        if (!modes.contains(r.mode())) {
            throw new IllegalArgumentException("model " + name + " cannot do " + r.mode().name().toLowerCase(Locale.ROOT)
                    + " (its UNet has " + model.unet().config().inChannels() + " input channels); it supports "
                    + modes.stream().map(x -> x.name().toLowerCase(Locale.ROOT)).toList());
        }
        if (r.prompt() == null) {
            throw new IllegalArgumentException("prompt is required");
        }
        if (r.steps() < 1 || r.steps() > limits.maxSteps()) {
            throw new IllegalArgumentException("steps must be between 1 and " + limits.maxSteps() + ", got " + r.steps());
        }
        if (!(r.guidance() >= 0 && r.guidance() <= 50)) {
            throw new IllegalArgumentException("guidance must be between 0 and 50, got " + r.guidance());
        }
        if (r.count() < 1 || r.count() > limits.maxCount()) {
            throw new IllegalArgumentException("count must be between 1 and " + limits.maxCount() + ", got " + r.count());
        }
        if (r.scheduler() != null && !r.scheduler().isBlank() && !r.scheduler().equals("default")
                && !SCHEDULERS.contains(r.scheduler())) {
            throw new IllegalArgumentException("scheduler must be one of " + SCHEDULERS + ", got " + r.scheduler());
        }
        if (legacy && r.mode() != GenerationRequest.Mode.INPAINT) {
            throw new IllegalArgumentException("the legacy pipeline is for inpaint only");
        }
        if (legacy && model.unet().config().inChannels() != 4) {
            throw new IllegalArgumentException("the legacy inpaint pipeline needs a 4-channel model");
        }
        int factor = model.vae().config().spatialFactor();
        Prepared p = new Prepared();
        switch (r.mode()) {
            case TXT2IMG -> {
                checkSize(r.width(), r.height());
                p.latentWidth = r.width() / factor;
                p.latentHeight = r.height() / factor;
            }
            case IMG2IMG, INPAINT -> {
                requireImage(r.initImage(), "init image");
                boolean strengthUsed = r.mode() == GenerationRequest.Mode.IMG2IMG || legacy || r.strength() != 0;
                if (strengthUsed && !(r.strength() > 0 && r.strength() <= 1)) {
                    throw new IllegalArgumentException("strength must be in (0, 1], got " + r.strength());
                }
                p.strength = r.mode() == GenerationRequest.Mode.INPAINT && !legacy && r.strength() == 0 ? 1.0 : r.strength();
                p.image = sized(r.initImage(), r.width(), r.height());
                p.latentWidth = p.image.getWidth() / factor;
                p.latentHeight = p.image.getHeight() / factor;
                if (r.mode() == GenerationRequest.Mode.INPAINT) {
                    requireImage(r.mask(), "mask");
                    p.mask = MaskInput.prepare(r.mask(), p.image.getWidth(), p.image.getHeight());
                }
            }
            case UPSCALE -> {
                requireImage(r.initImage(), "image to upscale");
                BufferedImage img = ImageInput.snapToMultipleOf8(ImageInput.flatten(r.initImage(), java.awt.Color.WHITE));
                long px = (long) img.getWidth() * img.getHeight();
                if (px > limits.maxUpscaleInputPixels()) {
                    throw new IllegalArgumentException("the image to upscale is " + img.getWidth() + "x" + img.getHeight()
                            + "; the x4 upscaler takes at most " + limits.maxUpscaleInputPixels() + " pixels (e.g. 512x512)");
                }
                int max = model.maxNoiseLevel();
                if (r.noiseLevel() < 0 || r.noiseLevel() > max) {
                    throw new IllegalArgumentException("noise level must be between 0 and " + max + ", got " + r.noiseLevel());
                }
                p.image = img;
                p.latentWidth = img.getWidth();
                p.latentHeight = img.getHeight();
            }
            default -> throw new IllegalArgumentException("unsupported mode " + r.mode());
        }
        return p;
    }

    private static void requireImage(BufferedImage img, String what) {
        if (img == null) {
            throw new IllegalArgumentException("an " + what + " is required");
        }
    }

    private void checkSize(int w, int h) {
        if (w < 64 || h < 64 || w % 8 != 0 || h % 8 != 0) {
            throw new IllegalArgumentException("width and height must be multiples of 8 and at least 64, got " + w + "x" + h);
        }
        if ((long) w * h > limits.maxPixels()) {
            throw new IllegalArgumentException("size " + w + "x" + h + " is over the limit of " + limits.maxPixels() + " pixels");
        }
    }

    /** The init image at the requested size (0 = its own), scaled down to the pixel limit, snapped to multiples of 8. */
    private BufferedImage sized(BufferedImage src, int width, int height) {
        BufferedImage img = ImageInput.flatten(src, java.awt.Color.WHITE);
        if (width > 0 || height > 0) {
            checkSize(width, height);
            return ImageInput.resize(img, width, height);
        }
        double w = img.getWidth();
        double h = img.getHeight();
        if (w * h > limits.maxPixels()) {
            double s = Math.sqrt(limits.maxPixels() / (w * h));
            w = Math.floor(w * s);
            h = Math.floor(h * s);
        }
        return ImageInput.resize(img, ImageInput.snapDown((int) w, 8), ImageInput.snapDown((int) h, 8));
    }

    /** A1111's sampler name of a scheduler option. */
    static String samplerName(String option, Scheduler scheduler) {
        if (option == null || option.isBlank() || option.equals("default")) {
            String cls = scheduler.getClass().getSimpleName();
            return cls.endsWith("Scheduler") ? cls.substring(0, cls.length() - "Scheduler".length()) : cls;
        }
        return switch (option) {
            case "ddim" -> "DDIM";
            case "pndm" -> "PLMS";
            case "lms" -> "LMS";
            case "euler" -> "Euler";
            case "euler-a" -> "Euler a";
            case "dpmpp-2m" -> "DPM++ 2M";
            case "dpmpp-2m-karras" -> "DPM++ 2M Karras";
            case "ddpm" -> "DDPM";
            default -> option;
        };
    }

    @Override
    public void close() {
        model.close();
    }
}
