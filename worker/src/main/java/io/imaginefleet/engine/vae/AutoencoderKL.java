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
 * <p>Images whose estimated activation footprint exceeds {@link EngineOptions#vaeBudgetBytes()} are processed in
 * overlapping tiles blended linearly ({@link #decodeTiled}, {@link #encodeTiled}); the mid block, whose attention
 * spans the whole image, runs untiled at latent resolution up to {@link #MAX_GLOBAL_ATTENTION_POSITIONS}. Group norms
 * use per-tile statistics by default, or exact whole-image statistics ({@link #EXACT_STATS}).
 * Results live in the input's manager; weights live in a manager this object owns ({@link #close()} frees them).
 * Runs in float32 (VAEs are {@code force_upcast}).
 */
public final class AutoencoderKL implements AutoCloseable {
    /**
     * Default group-norm mode of automatic tiling: 0 = every tile normalises with its own statistics, as diffusers'
     * tiled VAE (cheapest; on trained VAEs the statistics vary little between tiles). See {@link #setTileStatsPasses}.
     */
    public static final int DEFAULT_STATS_PASSES = 0;
    /**
     * {@code statsPasses} value for exact whole-image group-norm statistics: one short pass per group norm layer
     * (each stops at that layer), then the output pass; costs several times a plain tiled pass.
     */
    public static final int EXACT_STATS = Tiler.EXACT_STATS;
    /**
     * Largest latent (h·w) whose mid-block attention runs over the whole image when tiling (128² latents: the
     * score matrix is then processed in slices under the attention budget).
     */
    public static final long MAX_GLOBAL_ATTENTION_POSITIONS = 128L * 128;

    private final VaeConfig config;
    private final EngineOptions options;
    private final NDManager manager;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;
    private volatile int tileStatsPasses = DEFAULT_STATS_PASSES;

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

    /**
     * Group-norm mode used when {@link #decode}/{@link #encodeMoments} tile automatically: 0 (per-tile statistics),
     * {@link #EXACT_STATS} (whole-image statistics, several times slower, agrees with the untiled model to ~1e-3), or
     * n &gt; 0 approximate refinement passes (converges only after about as many passes as the network has group
     * norms; a single pass is not reliably better than 0).
     */
    public void setTileStatsPasses(int passes) {
        if (passes < EXACT_STATS) {
            throw new IllegalArgumentException("tile stats passes must be ≥ 0 or EXACT_STATS, got " + passes);
        }
        this.tileStatsPasses = passes;
    }

    public VaeConfig config() {
        return config;
    }

    /** Pixel size per latent pixel. */
    public int spatialFactor() {
        return config.spatialFactor();
    }

    /** {@code vae.decode(z).sample} for z [B, latent, h, w]; tiled automatically above the memory budget. */
    public NDArray decode(NDArray z) {
        checkInput(z, config.latentChannels(), "latents");
        long[] s = z.getShape().getShape();
        if (estimateDecodeBytes(s[0], s[2], s[3]) <= options.vaeBudgetBytes()) {
            return decodeUntiled(z);
        }
        long tile = autoTile(true, s[0], Math.max(s[2], s[3]));
        return decodeTiled(z, tile, Math.max(1, tile / 4), tileStatsPasses);
    }

    /** Untiled decode. */
    public NDArray decodeUntiled(NDArray z) {
        return decodeTile(as32(z), NormStats.LOCAL);
    }

    /**
     * Tiled decode.
     *
     * @param tileLatent  tile size in latent pixels
     * @param overlapLatent overlap between tiles in latent pixels
     * @param statsPasses extra passes gathering approximate whole-image group-norm statistics (0 = per-tile statistics,
     *                    as diffusers; each pass refines the estimate), or {@link #EXACT_STATS}
     */
    public NDArray decodeTiled(NDArray z, long tileLatent, long overlapLatent, int statsPasses) {
        long[] s = z.getShape().getShape();
        return decodeTiled(z, tileLatent, overlapLatent, statsPasses, s[2] * s[3] <= MAX_GLOBAL_ATTENTION_POSITIONS);
    }

    /**
     * Tiled decode; with {@code globalMid} the mid block (whose attention spans the whole image) runs once on the
     * full latent and only the up blocks are tiled, otherwise every tile runs the whole decoder (as diffusers).
     */
    public NDArray decodeTiled(NDArray z, long tileLatent, long overlapLatent, int statsPasses, boolean globalMid) {
        checkInput(z, config.latentChannels(), "latents");
        NDArray z32 = as32(z);
        if (!globalMid) {
            return Tiler.run(z32, tileLatent, overlapLatent, 1, spatialFactor(), 1, statsPasses, this::decodeTile);
        }
        NDArray p = postQuantConv == null ? z32 : postQuantConv.forward(z32);
        NDArray h = decoder.head(p, NormStats.LOCAL);
        if (p != z32) {
            p.close();
        }
        NDArray out = Tiler.run(h, tileLatent, overlapLatent, 1, spatialFactor(), 1, statsPasses, decoder::tail);
        h.close();
        return out;
    }

    private NDArray decodeTile(NDArray z, NormStats stats) {
        if (postQuantConv == null) {
            return decoder.forward(z, stats);
        }
        NDArray p = postQuantConv.forward(z);
        NDArray out = decoder.forward(p, stats);
        p.close();
        return out;
    }

    /** Latent distribution mean of x [B, 3, H, W] in [-1, 1] (unscaled). */
    public NDArray encodeMean(NDArray x) {
        NDArray[] mv = encodeMoments(x);
        mv[1].close();
        return mv[0];
    }

    /** (mean, logvar) of the latent distribution; tiled automatically above the memory budget. */
    public NDArray[] encodeMoments(NDArray x) {
        checkInput(x, config.inChannels(), "image");
        long[] s = x.getShape().getShape();
        int f = spatialFactor();
        if (s[2] % f != 0 || s[3] % f != 0) {
            throw new IllegalArgumentException("image size " + s[2] + "×" + s[3] + " is not a multiple of the VAE factor " + f);
        }
        if (estimateEncodeBytes(s[0], s[2], s[3]) <= options.vaeBudgetBytes()) {
            return split(encodeTile(as32(x), NormStats.LOCAL));
        }
        long tile = autoTile(false, s[0], Math.max(s[2], s[3])) * f;
        return encodeTiled(x, tile, Math.max(f, tile / 4 / f * f), tileStatsPasses);
    }

    /** Untiled (mean, logvar). */
    public NDArray[] encodeMomentsUntiled(NDArray x) {
        checkInput(x, config.inChannels(), "image");
        return split(encodeTile(as32(x), NormStats.LOCAL));
    }

    /** Tiled (mean, logvar); tile and overlap in pixels (rounded to the VAE factor). */
    public NDArray[] encodeTiled(NDArray x, long tilePixels, long overlapPixels, int statsPasses) {
        long[] s = x.getShape().getShape();
        long f2 = (long) spatialFactor() * spatialFactor();
        return encodeTiled(x, tilePixels, overlapPixels, statsPasses, s[2] * s[3] / f2 <= MAX_GLOBAL_ATTENTION_POSITIONS);
    }

    /** Tiled (mean, logvar); with {@code globalMid} only the down blocks are tiled and the mid block runs once. */
    public NDArray[] encodeTiled(NDArray x, long tilePixels, long overlapPixels, int statsPasses, boolean globalMid) {
        checkInput(x, config.inChannels(), "image");
        int f = spatialFactor();
        long tile = Math.max(f, tilePixels / f * f);
        long overlap = Math.max(f, overlapPixels / f * f);
        if (!globalMid) {
            return split(Tiler.run(as32(x), tile, overlap, f, 1, f, statsPasses, this::encodeTile));
        }
        NDArray features = Tiler.run(as32(x), tile, overlap, f, 1, f, statsPasses, encoder::body);
        NDArray h = encoder.head(features, NormStats.LOCAL);
        features.close();
        if (quantConv == null) {
            return split(h);
        }
        NDArray moments = quantConv.forward(h);
        h.close();
        return split(moments);
    }

    private NDArray encodeTile(NDArray x, NormStats stats) {
        NDArray h = encoder.forward(x, stats);
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

    /** Largest latent tile (halving from the config's sample size) whose estimate fits the budget. */
    private long autoTile(boolean decode, long batch, long latentSize) {
        int f = spatialFactor();
        long tile = Math.max(16, Math.min(latentSize, Math.max(32, config.sampleSize() / f)));
        while (tile > 8) {
            long bytes = decode ? estimateDecodeBytes(batch, tile, tile) : estimateEncodeBytes(batch, tile * f, tile * f);
            if (bytes <= options.vaeBudgetBytes()) {
                break;
            }
            tile /= 2;
        }
        return tile;
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
