package io.imaginefleet.engine.config;

import java.util.List;

/**
 * {@code vae/config.json} of a diffusers {@code AutoencoderKL}. Missing fields get diffusers' defaults.
 *
 * @param blockOutChannels channels per encoder/decoder block (its length is the number of blocks)
 * @param layersPerBlock   resnets per encoder block (decoder blocks have one more)
 * @param scalingFactor    latent scale the pipelines multiply encoder means by
 * @param forceUpcast      diffusers runs this VAE in float32 even in fp16 pipelines
 */
public record VaeConfig(
        Integer inChannels,
        Integer outChannels,
        List<Integer> blockOutChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        Integer layersPerBlock,
        Integer latentChannels,
        Integer normNumGroups,
        Integer sampleSize,
        Double scalingFactor,
        Boolean forceUpcast,
        String actFn) {

    /** Fills diffusers defaults for missing fields and checks the architecture is supported. */
    public VaeConfig {
        inChannels = inChannels == null ? 3 : inChannels;
        outChannels = outChannels == null ? 3 : outChannels;
        blockOutChannels = blockOutChannels == null ? List.of(64) : List.copyOf(blockOutChannels);
        downBlockTypes = downBlockTypes == null ? List.of("DownEncoderBlock2D") : List.copyOf(downBlockTypes);
        upBlockTypes = upBlockTypes == null ? List.of("UpDecoderBlock2D") : List.copyOf(upBlockTypes);
        layersPerBlock = layersPerBlock == null ? 1 : layersPerBlock;
        latentChannels = latentChannels == null ? 4 : latentChannels;
        normNumGroups = normNumGroups == null ? 32 : normNumGroups;
        sampleSize = sampleSize == null ? 32 : sampleSize;
        scalingFactor = scalingFactor == null ? 0.18215 : scalingFactor;
        forceUpcast = forceUpcast == null ? Boolean.TRUE : forceUpcast;
        actFn = actFn == null ? "silu" : actFn;
        if (blockOutChannels.isEmpty()) {
            throw new IllegalArgumentException("block_out_channels must not be empty");
        }
        for (int c : blockOutChannels) {
            if (c % normNumGroups != 0) {
                throw new IllegalArgumentException("block_out_channels " + blockOutChannels
                        + " are not divisible by norm_num_groups " + normNumGroups);
            }
        }
        if (!"silu".equals(actFn)) {
            throw new IllegalArgumentException("act_fn " + actFn + " is not supported (only silu)");
        }
        for (String t : downBlockTypes) {
            if (!"DownEncoderBlock2D".equals(t)) {
                throw new IllegalArgumentException("down block type " + t + " is not supported");
            }
        }
        for (String t : upBlockTypes) {
            if (!"UpDecoderBlock2D".equals(t)) {
                throw new IllegalArgumentException("up block type " + t + " is not supported");
            }
        }
    }

    /** Pixel size per latent pixel: 2^(blocks-1). */
    public int spatialFactor() {
        return 1 << (blockOutChannels.size() - 1);
    }
}
