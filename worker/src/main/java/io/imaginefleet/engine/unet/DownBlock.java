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
        // x is always a skip (conv_in's or the previous block's output): kept for the up path, never closed here
        for (int i = 0; i < resnets.length; i++) {
            NDArray r = resnets[i].forward(x, tembAct);
            if (attentions != null) {
                NDArray a = attentions[i].forward(r, context);
                r.close();
                r = a;
            }
            skips.add(r);
            x = r;
        }
        if (downsampler != null) {
            x = downsampler.forward(x);
            skips.add(x);
        }
        return x;
    }
}
