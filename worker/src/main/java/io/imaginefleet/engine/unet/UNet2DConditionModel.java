package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.io.ModelFormatException;
import io.imaginefleet.engine.io.Weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Stable Diffusion denoiser, diffusers' {@code UNet2DConditionModel} (v0.27 semantics) as SD 1.x/2.x, the
 * inpainting UNets (9 input channels) and the x4 upscaler (7 input channels, noise-level class embedding) use it.
 *
 * <p>Weights live in a manager owned by this model ({@link #close()} frees them). Every {@link #forward} runs in
 * its own sub-manager that is closed before returning; only the output is attached to the manager of
 * {@code sample}.
 */
public final class UNet2DConditionModel implements AutoCloseable {
    private final UNetConfig config;
    private final EngineOptions options;
    private final NDManager manager;
    private final Layers.Conv convIn;
    private final TimestepEmbedding timeEmbedding;
    private final NDArray classEmbedding;
    private final DownBlock[] downBlocks;
    private final UNetMidBlock2DCrossAttn midBlock;
    private final UpBlock[] upBlocks;
    private final GroupNormAct convNormOut;
    private final Layers.Conv convOut;
    private final int numUpsamplers;

    private UNet2DConditionModel(UNetConfig c, TensorSource w, EngineOptions options, NDManager manager) {
        this.config = c;
        this.options = options;
        this.manager = manager;
        Layers l = new Layers(w, manager, options);
        List<Integer> ch = c.blockOutChannels();
        int n = ch.size();
        int groups = c.normNumGroups();
        double eps = c.normEps();
        int[] heads = c.numAttentionHeadsPerBlock();
        int[] layers = c.layersPerBlockList();
        int[] tLayers = c.transformerLayersPerBlockList();
        boolean[] onlyCross = c.onlyCrossAttentionPerBlock();
        int[] crossDim = c.crossAttentionDimPerBlock();
        int temb = c.timeEmbedDim();
        boolean linear = c.useLinearProjection();
        double outScale = c.resnetOutScaleFactor();

        convIn = l.conv("conv_in", c.inChannels(), ch.get(0), c.convInKernel(), 1, (c.convInKernel() - 1) / 2);
        timeEmbedding = new TimestepEmbedding(l, "time_embedding", ch.get(0), temb, c.flipSinToCos(), c.freqShift());
        if (c.numClassEmbeds() != null) {
            classEmbedding = l.param("class_embedding.weight", c.numClassEmbeds(), temb);
        } else {
            classEmbedding = null;
        }

        downBlocks = new DownBlock[n];
        int out = ch.get(0);
        for (int i = 0; i < n; i++) {
            int in = out;
            out = ch.get(i);
            boolean last = i == n - 1;
            String p = "down_blocks." + i;
            ResnetBlock2D[] resnets = new ResnetBlock2D[layers[i]];
            for (int j = 0; j < layers[i]; j++) {
                resnets[j] = new ResnetBlock2D(l, p + ".resnets." + j, j == 0 ? in : out, out, temb, groups, eps,
                        outScale);
            }
            Downsample2D down = last ? null : new Downsample2D(l, p + ".downsamplers.0", out, c.downsamplePadding());
            if (c.downBlockTypes().get(i).equals("CrossAttnDownBlock2D")) {
                Transformer2DModel[] attns = new Transformer2DModel[layers[i]];
                for (int j = 0; j < layers[i]; j++) {
                    attns[j] = new Transformer2DModel(l, p + ".attentions." + j, out, heads[i], tLayers[i], crossDim[i],
                            groups, linear, onlyCross[i]);
                }
                downBlocks[i] = new CrossAttnDownBlock2D(resnets, attns, down);
            } else {
                downBlocks[i] = new DownBlock2D(resnets, down);
            }
        }

        int top = ch.get(n - 1);
        midBlock = new UNetMidBlock2DCrossAttn(
                new ResnetBlock2D[] {
                    new ResnetBlock2D(l, "mid_block.resnets.0", top, top, temb, groups, eps, c.midBlockScaleFactor()),
                    new ResnetBlock2D(l, "mid_block.resnets.1", top, top, temb, groups, eps, c.midBlockScaleFactor())},
                new Transformer2DModel[] {
                    new Transformer2DModel(l, "mid_block.attentions.0", top, heads[n - 1], tLayers[n - 1], crossDim[n - 1],
                            groups, linear, false)});

        upBlocks = new UpBlock[n];
        int upsamplers = 0;
        int outCh = ch.get(n - 1);
        for (int i = 0; i < n; i++) {
            int r = n - 1 - i; // index into the per-down-block lists, reversed
            boolean last = i == n - 1;
            int prevOut = outCh;
            outCh = ch.get(r);
            int inCh = ch.get(Math.max(r - 1, 0));
            int num = layers[r] + 1;
            String p = "up_blocks." + i;
            ResnetBlock2D[] resnets = new ResnetBlock2D[num];
            for (int j = 0; j < num; j++) {
                int skipCh = j == num - 1 ? inCh : outCh;
                int resIn = j == 0 ? prevOut : outCh;
                resnets[j] = new ResnetBlock2D(l, p + ".resnets." + j, resIn + skipCh, outCh, temb, groups, eps,
                        outScale);
            }
            Upsample2D up = last ? null : new Upsample2D(l, p + ".upsamplers.0", outCh);
            if (!last) {
                upsamplers++;
            }
            if (c.upBlockTypes().get(i).equals("CrossAttnUpBlock2D")) {
                Transformer2DModel[] attns = new Transformer2DModel[num];
                for (int j = 0; j < num; j++) {
                    attns[j] = new Transformer2DModel(l, p + ".attentions." + j, outCh, heads[r], tLayers[r], crossDim[r],
                            groups, linear, onlyCross[r]);
                }
                upBlocks[i] = new CrossAttnUpBlock2D(resnets, attns, up);
            } else {
                upBlocks[i] = new UpBlock2D(resnets, up);
            }
        }
        numUpsamplers = upsamplers;
        convNormOut = new GroupNormAct(l, "conv_norm_out", ch.get(0), groups, eps, true);
        convOut = l.conv("conv_out", ch.get(0), c.outChannels(), c.convOutKernel(), 1, (c.convOutKernel() - 1) / 2);
    }

    /**
     * Loads {@code unetDir/config.json} and the weights in {@code unetDir}.
     *
     * @throws ModelFormatException when the config is unsupported or a tensor is missing or mis-shaped
     */
    public static UNet2DConditionModel load(Path unetDir, EngineOptions options) {
        Path cfg = unetDir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            throw new ModelFormatException("UNet config not found: " + cfg);
        }
        UNetConfig config = UNetConfig.read(cfg);
        NDManager manager = NDManager.newBaseManager(options.device());
        try (Weights w = Weights.open(unetDir)) {
            return new UNet2DConditionModel(config, TensorSource.of(w), options, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Builds a UNet from any parameter source, e.g. {@link TensorSource#random} for benchmarks of full-size
     * architectures without a weights file.
     */
    public static UNet2DConditionModel create(UNetConfig config, TensorSource weights, EngineOptions options) {
        config.validate("unet config");
        NDManager manager = NDManager.newBaseManager(options.device());
        try {
            return new UNet2DConditionModel(config, weights, options, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public UNetConfig config() {
        return config;
    }

    /**
     * Floating-point operations of one forward on [batch, C, latentHeight, latentWidth] with a 77-token context
     * (see {@link UNetFlops}).
     */
    public UNetFlops flops(long batch, long latentHeight, long latentWidth) {
        return UNetFlops.of(config, batch, latentHeight, latentWidth, 77);
    }

    /**
     * One denoising forward pass ({@code unet(sample, t, encoder_hidden_states, class_labels).sample}).
     *
     * @param sample              [B, in_channels, h, w] float32
     * @param timesteps           [B] or [1] (broadcast to B) or a scalar, any numeric type
     * @param encoderHiddenStates [B, 77, cross_attention_dim]
     * @param classLabelsOrNull   [B] int64 class labels (x4 upscaler: the noise level); required iff
     *                            {@code num_class_embeds} is set
     * @return [B, out_channels, h, w], attached to {@code sample}'s manager
     */
    public NDArray forward(NDArray sample, NDArray timesteps, NDArray encoderHiddenStates, NDArray classLabelsOrNull) {
        long[] s = sample.getShape().getShape();
        if (s.length != 4 || s[1] != config.inChannels()) {
            throw new IllegalArgumentException("UNet sample must be [B, " + config.inChannels() + ", h, w], got "
                    + sample.getShape());
        }
        long b = s[0];
        long[] e = encoderHiddenStates.getShape().getShape();
        if (e.length != 3 || e[0] != b) {
            throw new IllegalArgumentException("encoder_hidden_states must be [" + b + ", L, D], got "
                    + encoderHiddenStates.getShape());
        }
        if (classEmbedding != null && classLabelsOrNull == null) {
            throw new IllegalArgumentException("class_labels are required: this UNet has num_class_embeds="
                    + config.numClassEmbeds());
        }
        NDManager caller = sample.getManager();
        try (NDManager scope = caller.newSubManager()) {
            sample.tempAttach(scope);
            timesteps.tempAttach(scope);
            encoderHiddenStates.tempAttach(scope);
            if (classLabelsOrNull != null) {
                classLabelsOrNull.tempAttach(scope);
            }
            NDArray out = run(sample, timesteps, encoderHiddenStates, classLabelsOrNull, b);
            out.attach(caller);
            return out;
        }
    }

    private NDArray run(NDArray sample, NDArray timesteps, NDArray context, NDArray classLabels, long b) {
        NDArray t = timesteps.toDevice(sample.getDevice(), false).toType(DataType.FLOAT32, false).reshape(-1);
        if (t.size() == 1 && b > 1) {
            t = t.broadcast(b);
        } else if (t.size() != b) {
            throw new IllegalArgumentException("timesteps must have 1 or " + b + " entries, got " + t.getShape());
        }
        NDArray emb = timeEmbedding.forward(t, sample.getDataType());
        if (classEmbedding != null) {
            NDArray labels = classLabels.toType(DataType.INT64, false).reshape(-1);
            if (labels.size() == 1 && b > 1) {
                labels = labels.broadcast(b);
            }
            long min = labels.min().getLong();
            long max = labels.max().getLong();
            if (min < 0 || max >= config.numClassEmbeds()) {
                throw new IllegalArgumentException("class_labels must be in [0, " + config.numClassEmbeds() + "), got "
                        + min + ".." + max);
            }
            NDArray classEmb = classEmbedding.get(labels);
            classEmb.attach(labels.getManager()); // keep the lookup out of the weights' manager
            emb = emb.add(classEmb);
        }
        NDArray tembAct = Ops.silu(emb);

        NDArray x = sample;
        if (config.centerInputSample()) {
            x = x.mul(2).sub(1);
        }
        long[] shape = sample.getShape().getShape();
        long factor = 1L << numUpsamplers;
        boolean forwardUpsampleSize = shape[2] % factor != 0 || shape[3] % factor != 0;

        x = convIn.forward(x);
        List<NDArray> skips = new ArrayList<>();
        skips.add(x);
        for (DownBlock block : downBlocks) {
            x = block.forward(x, tembAct, context, skips);
        }
        x = midBlock.forward(x, tembAct, context);
        for (UpBlock block : upBlocks) {
            long[] size = null;
            if (block.hasUpsampler() && forwardUpsampleSize) {
                // the size of the skip this block's upsampler output will be concatenated with
                NDArray target = skips.get(skips.size() - 1 - block.resnetCount());
                size = new long[] {target.getShape().get(2), target.getShape().get(3)};
            }
            x = block.forward(x, tembAct, context, skips, size);
        }
        NDArray normed = convNormOut.forward(x);
        x.close();
        return convOut.forward(normed);
    }

    @Override
    public void close() {
        manager.close();
    }
}
