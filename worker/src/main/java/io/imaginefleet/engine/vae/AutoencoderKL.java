package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.config.Configs;
import io.imaginefleet.engine.config.VaeConfig;
import io.imaginefleet.engine.io.ModelFormatException;
import io.imaginefleet.engine.io.Weights;
import io.imaginefleet.engine.nn.Conv2d;
import io.imaginefleet.engine.nn.NormStats;
import io.imaginefleet.engine.nn.Params;

import java.nio.file.Path;
import java.util.List;

/**
 * diffusers {@code AutoencoderKL} (v0.27 semantics): {@link #decode} is {@code vae.decode(z).sample},
 * {@link #encodeMoments} is the latent distribution's (mean, logvar) with logvar clamped to [-30, 20].
 *
 * <p>Images whose estimated activation footprint exceeds {@link EngineOptions#vaeBudgetBytes()} are processed in row
 * strips ({@link #decodeTiled}, {@link #encodeTiled}): every layer runs over a whole-image feature map kept in a
 * temporary file, one strip (sized by the budget) in memory at a time, and every group norm uses the whole map's
 * statistics. Convolutions see exactly the rows they would see untiled, so the result matches the untiled model to
 * rounding, without seams. Only the mid block's attention is local above {@link #MAX_GLOBAL_ATTENTION_POSITIONS}
 * latent positions: each strip's queries then attend to {@link #attentionHalo} rows around them.
 * Results live in the input's manager; weights live in a manager this object owns ({@link #close()} frees them).
 * Runs in float32 (VAEs are {@code force_upcast}).
 */
public final class AutoencoderKL implements AutoCloseable {
    /**
     * Largest latent (h·w) whose mid-block attention runs over the whole image when tiling (128² latents: the
     * score matrix is then processed in slices under the attention budget); above it attention is local.
     */
    public static final long MAX_GLOBAL_ATTENTION_POSITIONS = 128L * 128;

    private final VaeConfig config;
    private final EngineOptions options;
    private final NDManager manager;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;

    private AutoencoderKL(VaeConfig config, EngineOptions options, NDManager manager, Encoder encoder, Decoder decoder,
                          Conv2d quantConv, Conv2d postQuantConv) {
        this.config = config;
        this.options = options;
        this.manager = manager;
        this.encoder = encoder;
        this.decoder = decoder;
        this.quantConv = quantConv;
        this.postQuantConv = postQuantConv;
    }

    /** Loads {@code vaeDir/config.json} and its safetensors weights. */
    public static AutoencoderKL load(Path vaeDir, EngineOptions options) {
        VaeConfig config = Configs.read(vaeDir.resolve("config.json"), VaeConfig.class);
        EngineOptions fp32 = new EngineOptions(options.device(), DataType.FLOAT32, options.attentionBudgetBytes(), options.vaeBudgetBytes());
        NDManager manager = NDManager.newBaseManager(options.device());
        try (Weights w = Weights.open(vaeDir)) {
            Params p = new Params(w, manager, fp32);
            int l = config.latentChannels();
            Encoder enc = new Encoder(p, "encoder", config);
            Decoder dec = new Decoder(p, "decoder", config);
            Conv2d qc = p.has("quant_conv.weight") ? Conv2d.load(p, "quant_conv", 2L * l, 2L * l, 1, 1, 0) : null;
            Conv2d pqc = p.has("post_quant_conv.weight") ? Conv2d.load(p, "post_quant_conv", l, l, 1, 1, 0) : null;
            return new AutoencoderKL(config, fp32, manager, enc, dec, qc, pqc);
        } catch (RuntimeException e) {
            manager.close();
            if (e instanceof IllegalArgumentException) {
                throw new ModelFormatException("unsupported VAE in " + vaeDir + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    public VaeConfig config() {
        return config;
    }

    /** Pixel size per latent pixel. */
    public int spatialFactor() {
        return config.spatialFactor();
    }

    /** {@code vae.decode(z).sample} for z [B, latent, h, w]; in strips automatically above the memory budget. */
    public NDArray decode(NDArray z) {
        checkInput(z, config.latentChannels(), "latents");
        long[] s = z.getShape().getShape();
        if (estimateDecodeBytes(s[0], s[2], s[3]) <= options.vaeBudgetBytes()) {
            return decodeUntiled(z);
        }
        return decodeTiled(z, options.vaeBudgetBytes());
    }

    /** Untiled decode. */
    public NDArray decodeUntiled(NDArray z) {
        return decodeTile(as32(z), NormStats.LOCAL);
    }

    /**
     * Decode in row strips whose activations take about {@code stripBudgetBytes} (see the class comment): the same
     * result as {@link #decodeUntiled} to rounding (up to {@link #MAX_GLOBAL_ATTENTION_POSITIONS}), in bounded memory.
     */
    public NDArray decodeTiled(NDArray z, long stripBudgetBytes) {
        checkInput(z, config.latentChannels(), "latents");
        NDManager m = z.getManager();
        NDArray z32 = as32(z);
        NDArray p = postQuant(z32);
        FeatureMap latents;
        try {
            latents = FeatureMap.of(p, 0);
        } finally {
            if (p != z32) {
                p.close();
            }
            if (z32 != z) {
                z32.close();
            }
        }
        Strips strips = new Strips(m, stripBudgetBytes, config.normNumGroups());
        try (latents; FeatureMap image = decoder.forward(latents, strips, attentionHalo(latents.height(), latents.width()))) {
            return image.readAll(m);
        }
    }

    private NDArray decodeTile(NDArray z, NormStats stats) {
        NDArray p = postQuant(z);
        NDArray out = decoder.forward(p, stats);
        if (p != z) {
            p.close();
        }
        return out;
    }

    /** post_quant_conv of {@code z}, or {@code z} itself when the model has none. */
    private NDArray postQuant(NDArray z) {
        return postQuantConv == null ? z : postQuantConv.forward(z);
    }

    /** Latent distribution mean of x [B, 3, H, W] in [-1, 1] (unscaled). */
    public NDArray encodeMean(NDArray x) {
        NDArray[] mv = encodeMoments(x);
        mv[1].close();
        return mv[0];
    }

    /** (mean, logvar) of the latent distribution; in strips automatically above the memory budget. */
    public NDArray[] encodeMoments(NDArray x) {
        checkInput(x, config.inChannels(), "image");
        long[] s = x.getShape().getShape();
        checkMultiple(s);
        if (estimateEncodeBytes(s[0], s[2], s[3]) <= options.vaeBudgetBytes()) {
            return split(encodeTile(as32(x), NormStats.LOCAL));
        }
        return encodeTiled(x, options.vaeBudgetBytes());
    }

    /** Untiled (mean, logvar). */
    public NDArray[] encodeMomentsUntiled(NDArray x) {
        checkInput(x, config.inChannels(), "image");
        return split(encodeTile(as32(x), NormStats.LOCAL));
    }

    /** (mean, logvar) computed in row strips of about {@code stripBudgetBytes} (see {@link #decodeTiled}). */
    public NDArray[] encodeTiled(NDArray x, long stripBudgetBytes) {
        checkInput(x, config.inChannels(), "image");
        checkMultiple(x.getShape().getShape());
        NDManager m = x.getManager();
        NDArray x32 = as32(x);
        FeatureMap image;
        try {
            image = FeatureMap.of(x32, 0);
        } finally {
            if (x32 != x) {
                x32.close();
            }
        }
        Strips strips = new Strips(m, stripBudgetBytes, config.normNumGroups());
        int f = spatialFactor();
        NDArray h;
        try (image; FeatureMap moments = encoder.forward(image, strips, attentionHalo(image.height() / f, image.width() / f))) {
            h = moments.readAll(m);
        }
        return split(quant(h));
    }

    /**
     * Rows of context on each side of a strip for the mid block's attention at latent size h×w: all of them up to
     * {@link #MAX_GLOBAL_ATTENTION_POSITIONS} (exact), else as many as keep each query's context near that size.
     */
    static long attentionHalo(long h, long w) {
        if (h * w <= MAX_GLOBAL_ATTENTION_POSITIONS) {
            return h;
        }
        return Math.max(8, MAX_GLOBAL_ATTENTION_POSITIONS / w / 2);
    }

    private void checkMultiple(long[] s) {
        int f = spatialFactor();
        if (s[2] % f != 0 || s[3] % f != 0) {
            throw new IllegalArgumentException("image size " + s[2] + "×" + s[3] + " is not a multiple of the VAE factor " + f);
        }
    }

    private NDArray encodeTile(NDArray x, NormStats stats) {
        return quant(encoder.forward(x, stats));
    }

    /** quant_conv of the encoder's output {@code h} (closed), or {@code h} itself when the model has none. */
    private NDArray quant(NDArray h) {
        if (quantConv == null) {
            return h;
        }
        NDArray out = quantConv.forward(h);
        h.close();
        return out;
    }

    private NDArray[] split(NDArray moments) {
        long l = config.latentChannels();
        NDArray mean = moments.get(":, 0:{}", l);
        NDArray raw = moments.get(":, {}:", l);
        NDArray logvar = raw.clip(-30f, 20f);
        raw.close();
        moments.close();
        return new NDArray[] {mean, logvar};
    }

    /** Rough peak activation bytes of an untiled decode producing (h·f)×(w·f) images. */
    public long estimateDecodeBytes(long batch, long h, long w) {
        List<Integer> ch = config.blockOutChannels();
        int n = ch.size();
        long area = h * w;
        long peak = (long) ch.get(n - 1) * area;
        long prev = ch.get(n - 1);
        for (int i = 0; i < n; i++) {
            long out = ch.get(n - 1 - i);
            peak = Math.max(peak, Math.max(prev, out) * area);
            if (i < n - 1) {
                area *= 4;
                peak = Math.max(peak, out * area);
            }
            prev = out;
        }
        return batch * 4L * (5 * peak + attentionBytes(h * w));
    }

    /** Rough peak activation bytes of an untiled encode of an H×W image. */
    public long estimateEncodeBytes(long batch, long height, long width) {
        List<Integer> ch = config.blockOutChannels();
        long area = height * width;
        long peak = 0;
        long prev = ch.get(0);
        for (int i = 0; i < ch.size(); i++) {
            peak = Math.max(peak, Math.max(prev, ch.get(i)) * area);
            if (i < ch.size() - 1) {
                area /= 4;
            }
            prev = ch.get(i);
        }
        return batch * 4L * (5 * peak + attentionBytes(area));
    }

    private long attentionBytes(long positions) {
        return Math.min(positions * positions * 3, options.attentionBudgetBytes() / 4);
    }

    private static NDArray as32(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
    }

    private static void checkInput(NDArray x, int channels, String what) {
        long[] s = x.getShape().getShape();
        if (s.length != 4 || s[1] != channels) {
            throw new IllegalArgumentException("VAE " + what + " must be [B, " + channels + ", H, W], got " + x.getShape());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
