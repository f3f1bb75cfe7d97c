package io.imaginefleet.engine.unet;

import com.fasterxml.jackson.databind.JsonNode;
import io.imaginefleet.engine.config.Configs;
import io.imaginefleet.engine.io.ModelFormatException;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The fields of a diffusers {@code UNet2DConditionModel} {@code config.json} that Stable Diffusion 1.x/2.x,
 * the inpainting UNets and the x4 upscaler use. Fields that diffusers allows as "int or per-block list"
 * ({@code attention_head_dim}, {@code num_attention_heads}, {@code only_cross_attention}, {@code layers_per_block},
 * {@code cross_attention_dim}, {@code transformer_layers_per_block}) are kept as JSON and resolved per block by
 * the accessor methods, with diffusers' defaults for missing fields.
 */
public record UNetConfig(
        Integer sampleSize,
        Integer inChannels,
        Integer outChannels,
        Boolean centerInputSample,
        Boolean flipSinToCos,
        Integer freqShift,
        List<String> downBlockTypes,
        String midBlockType,
        List<String> upBlockTypes,
        JsonNode onlyCrossAttention,
        Boolean midBlockOnlyCrossAttention,
        List<Integer> blockOutChannels,
        JsonNode layersPerBlock,
        Integer downsamplePadding,
        Double midBlockScaleFactor,
        String actFn,
        Integer normNumGroups,
        Double normEps,
        JsonNode crossAttentionDim,
        JsonNode transformerLayersPerBlock,
        JsonNode attentionHeadDim,
        JsonNode numAttentionHeads,
        Boolean dualCrossAttention,
        Boolean useLinearProjection,
        String classEmbedType,
        String additionEmbedType,
        String encoderHidDimType,
        Integer numClassEmbeds,
        Boolean upcastAttention,
        String resnetTimeScaleShift,
        Double resnetOutScaleFactor,
        String timeEmbeddingType,
        Integer timeEmbeddingDim,
        String timeEmbeddingActFn,
        String timestepPostAct,
        Integer timeCondProjDim,
        Integer convInKernel,
        Integer convOutKernel,
        Boolean classEmbeddingsConcat,
        String attentionType) {

    private static final Set<String> DOWN_TYPES = Set.of("CrossAttnDownBlock2D", "DownBlock2D");
    private static final Set<String> UP_TYPES = Set.of("CrossAttnUpBlock2D", "UpBlock2D");

    /** Fills in diffusers' defaults for fields the file leaves out. */
    public UNetConfig {
        sampleSize = sampleSize == null ? 64 : sampleSize;
        inChannels = inChannels == null ? 4 : inChannels;
        outChannels = outChannels == null ? 4 : outChannels;
        centerInputSample = centerInputSample != null && centerInputSample;
        flipSinToCos = flipSinToCos == null || flipSinToCos;
        freqShift = freqShift == null ? 0 : freqShift;
        downBlockTypes = downBlockTypes == null
                ? List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D")
                : List.copyOf(downBlockTypes);
        midBlockType = midBlockType == null ? "UNetMidBlock2DCrossAttn" : midBlockType;
        upBlockTypes = upBlockTypes == null
                ? List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D")
                : List.copyOf(upBlockTypes);
        blockOutChannels = blockOutChannels == null ? List.of(320, 640, 1280, 1280) : List.copyOf(blockOutChannels);
        downsamplePadding = downsamplePadding == null ? 1 : downsamplePadding;
        midBlockScaleFactor = midBlockScaleFactor == null ? 1.0 : midBlockScaleFactor;
        actFn = actFn == null ? "silu" : actFn;
        normNumGroups = normNumGroups == null ? 32 : normNumGroups;
        normEps = normEps == null ? 1e-5 : normEps;
        dualCrossAttention = dualCrossAttention != null && dualCrossAttention;
        useLinearProjection = useLinearProjection != null && useLinearProjection;
        upcastAttention = upcastAttention != null && upcastAttention;
        resnetTimeScaleShift = resnetTimeScaleShift == null ? "default" : resnetTimeScaleShift;
        resnetOutScaleFactor = resnetOutScaleFactor == null ? 1.0 : resnetOutScaleFactor;
        timeEmbeddingType = timeEmbeddingType == null ? "positional" : timeEmbeddingType;
        convInKernel = convInKernel == null ? 3 : convInKernel;
        convOutKernel = convOutKernel == null ? 3 : convOutKernel;
        classEmbeddingsConcat = classEmbeddingsConcat != null && classEmbeddingsConcat;
        attentionType = attentionType == null ? "default" : attentionType;
    }

    /** Reads {@code unetDir/config.json} and checks that this implementation supports it. */
    public static UNetConfig read(Path configJson) {
        UNetConfig c = Configs.read(configJson, UNetConfig.class);
        c.validate(configJson.toString());
        return c;
    }

    /** Fails with a {@link ModelFormatException} naming the field for any configuration this UNet cannot run. */
    public void validate(String source) {
        int n = blockOutChannels.size();
        require(n > 0, source, "block_out_channels", "must not be empty");
        require(downBlockTypes.size() == n, source, "down_block_types", "must have one entry per block_out_channels");
        require(upBlockTypes.size() == n, source, "up_block_types", "must have one entry per block_out_channels");
        for (String t : downBlockTypes) {
            require(DOWN_TYPES.contains(t), source, "down_block_types", "unsupported block type " + t);
        }
        for (String t : upBlockTypes) {
            require(UP_TYPES.contains(t), source, "up_block_types", "unsupported block type " + t);
        }
        require("UNetMidBlock2DCrossAttn".equals(midBlockType), source, "mid_block_type", "unsupported " + midBlockType);
        require(actFn.equals("silu") || actFn.equals("swish"), source, "act_fn", "only silu is supported, got " + actFn);
        require(timeEmbeddingType.equals("positional"), source, "time_embedding_type", "only positional is supported");
        require(resnetTimeScaleShift.equals("default"), source, "resnet_time_scale_shift", "only default is supported");
        require(classEmbedType == null, source, "class_embed_type", "unsupported " + classEmbedType);
        require(additionEmbedType == null, source, "addition_embed_type", "unsupported " + additionEmbedType);
        require(encoderHidDimType == null, source, "encoder_hid_dim_type", "unsupported " + encoderHidDimType);
        require(timeCondProjDim == null, source, "time_cond_proj_dim", "unsupported");
        require(!dualCrossAttention, source, "dual_cross_attention", "unsupported");
        require(!classEmbeddingsConcat, source, "class_embeddings_concat", "unsupported");
        require(attentionType.equals("default"), source, "attention_type", "unsupported " + attentionType);
        require(timeEmbeddingActFn == null, source, "time_embedding_act_fn", "unsupported");
        require(timestepPostAct == null, source, "timestep_post_act", "unsupported");
        require(convInKernel % 2 == 1 && convOutKernel % 2 == 1, source, "conv_in_kernel/conv_out_kernel", "must be odd");
        for (int c : blockOutChannels) {
            require(c % normNumGroups == 0, source, "block_out_channels", c + " is not divisible by norm_num_groups");
        }
        int[] heads = numAttentionHeadsPerBlock(source);
        for (int i = 0; i < n; i++) {
            require(heads[i] > 0 && blockOutChannels.get(i) % heads[i] == 0, source, "attention_head_dim",
                    "block " + i + ": " + blockOutChannels.get(i) + " channels not divisible by " + heads[i] + " heads");
        }
        perBlockInts(layersPerBlock, 2, "layers_per_block", source);
        perBlockInts(crossAttentionDim, 1280, "cross_attention_dim", source);
        perBlockInts(transformerLayersPerBlock, 1, "transformer_layers_per_block", source);
        onlyCrossAttentionPerBlock(source);
    }

    /** Number of attention heads per down block (diffusers: {@code num_attention_heads or attention_head_dim}). */
    public int[] numAttentionHeadsPerBlock() {
        return numAttentionHeadsPerBlock("unet config");
    }

    private int[] numAttentionHeadsPerBlock(String source) {
        JsonNode heads = numAttentionHeads != null && !numAttentionHeads.isNull() ? numAttentionHeads : attentionHeadDim;
        return perBlockInts(heads, 8, "attention_head_dim", source);
    }

    /** {@code only_cross_attention} per down block. */
    public boolean[] onlyCrossAttentionPerBlock() {
        return onlyCrossAttentionPerBlock("unet config");
    }

    private boolean[] onlyCrossAttentionPerBlock(String source) {
        int n = blockOutChannels.size();
        boolean[] out = new boolean[n];
        if (onlyCrossAttention == null || onlyCrossAttention.isNull()) {
            return out;
        }
        if (onlyCrossAttention.isBoolean()) {
            java.util.Arrays.fill(out, onlyCrossAttention.asBoolean());
            return out;
        }
        require(onlyCrossAttention.isArray() && onlyCrossAttention.size() == n, source, "only_cross_attention",
                "must be a boolean or a list of " + n + " booleans");
        for (int i = 0; i < n; i++) {
            out[i] = onlyCrossAttention.get(i).asBoolean();
        }
        return out;
    }

    /** Layers (resnets) per down block; up blocks use one more. */
    public int[] layersPerBlockList() {
        return perBlockInts(layersPerBlock, 2, "layers_per_block", "unet config");
    }

    /** Cross-attention (text embedding) width per down block. */
    public int[] crossAttentionDimPerBlock() {
        return perBlockInts(crossAttentionDim, 1280, "cross_attention_dim", "unet config");
    }

    /** Transformer blocks inside each Transformer2DModel, per down block. */
    public int[] transformerLayersPerBlockList() {
        return perBlockInts(transformerLayersPerBlock, 1, "transformer_layers_per_block", "unet config");
    }

    /** Channels of the time embedding ({@code time_embedding_dim} or 4 × {@code block_out_channels[0]}). */
    public int timeEmbedDim() {
        return timeEmbeddingDim != null ? timeEmbeddingDim : blockOutChannels.get(0) * 4;
    }

    /** Whether the mid block's transformers attend only to the text (diffusers resolves a bool config this way). */
    public boolean midOnlyCrossAttention() {
        if (midBlockOnlyCrossAttention != null) {
            return midBlockOnlyCrossAttention;
        }
        return onlyCrossAttention != null && onlyCrossAttention.isBoolean() && onlyCrossAttention.asBoolean();
    }

    private int[] perBlockInts(JsonNode node, int dflt, String field, String source) {
        int n = blockOutChannels.size();
        int[] out = new int[n];
        if (node == null || node.isNull()) {
            java.util.Arrays.fill(out, dflt);
        } else if (node.isInt()) {
            java.util.Arrays.fill(out, node.asInt());
        } else {
            require(node.isArray() && node.size() == n, source, field, "must be an int or a list of " + n + " ints");
            for (int i = 0; i < n; i++) {
                require(node.get(i).isInt(), source, field, "entry " + i + " is not an int");
                out[i] = node.get(i).asInt();
            }
        }
        return out;
    }

    private static void require(boolean ok, String source, String field, String what) {
        if (!ok) {
            throw new ModelFormatException(source + ": UNet config field '" + field + "' " + what);
        }
    }
}
