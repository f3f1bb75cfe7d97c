package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

import java.util.List;

/**
 * An up block of the UNet ({@code UpBlock2D} or {@code CrossAttnUpBlock2D}): for each resnet, the latest skip
 * is popped and concatenated on the channel axis, then resnet (and transformer); finally the optional upsampler.
 */
class UpBlock {
    private final ResnetBlock2D[] resnets;
    private final Transformer2DModel[] attentions;
    private final Upsample2D upsampler;

    UpBlock(ResnetBlock2D[] resnets, Transformer2DModel[] attentionsOrNull, Upsample2D upsamplerOrNull) {
        this.resnets = resnets;
        this.attentions = attentionsOrNull;
        this.upsampler = upsamplerOrNull;
    }

    int resnetCount() {
        return resnets.length;
    }

    boolean hasUpsampler() {
        return upsampler != null;
    }

    /** @param upsampleSize [H, W] the upsampler must produce, or null for ×2 */
    NDArray forward(NDArray x, NDArray tembAct, NDArray context, List<NDArray> skips, long[] upsampleSize) {
        for (int i = 0; i < resnets.length; i++) {
            NDArray skip = skips.remove(skips.size() - 1);
            x = NDArrays.concat(new NDList(x, skip), 1);
            x = resnets[i].forward(x, tembAct);
            if (attentions != null) {
                x = attentions[i].forward(x, context);
            }
        }
        if (upsampler != null) {
            x = upsampler.forward(x, upsampleSize);
        }
        return x;
    }
}
