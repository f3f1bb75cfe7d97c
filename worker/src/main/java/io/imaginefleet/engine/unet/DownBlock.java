package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * A down block of the UNet ({@code DownBlock2D} or {@code CrossAttnDownBlock2D}): resnets (each optionally
 * followed by a transformer) and an optional stride-2 downsampler. Every resnet/transformer output and the
 * downsampler output are pushed onto {@code skips} for the up blocks.
 */
class DownBlock {
    private final ResnetBlock2D[] resnets;
    private final Transformer2DModel[] attentions;
    private final Downsample2D downsampler;

    DownBlock(ResnetBlock2D[] resnets, Transformer2DModel[] attentionsOrNull, Downsample2D downsamplerOrNull) {
        this.resnets = resnets;
        this.attentions = attentionsOrNull;
        this.downsampler = downsamplerOrNull;
    }

    NDArray forward(NDArray x, NDArray tembAct, NDArray context, List<NDArray> skips) {
        for (int i = 0; i < resnets.length; i++) {
            x = resnets[i].forward(x, tembAct);
            if (attentions != null) {
                x = attentions[i].forward(x, context);
            }
            skips.add(x);
        }
        if (downsampler != null) {
            x = downsampler.forward(x);
            skips.add(x);
        }
        return x;
    }
}
