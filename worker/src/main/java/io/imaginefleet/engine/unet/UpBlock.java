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

    /**
     * Consumes (closes) {@code x} and the skips it pops, so a forward holds only the skips still to come.
     *
     * @param upsampleSize [H, W] the upsampler must produce, or null for ×2
     */
    NDArray forward(NDArray x, NDArray tembAct, NDArray context, List<NDArray> skips, long[] upsampleSize) {
        for (int i = 0; i < resnets.length; i++) {
            NDArray skip = skips.remove(skips.size() - 1);
            NDArray cat = NDArrays.concat(new NDList(x, skip), 1);
            x.close();
            skip.close();
            x = resnets[i].forward(cat, tembAct);
            cat.close();
            if (attentions != null) {
                NDArray a = attentions[i].forward(x, context);
                x.close();
                x = a;
            }
        }
        if (upsampler != null) {
            NDArray u = upsampler.forward(x, upsampleSize);
            x.close();
            x = u;
        }
        return x;
    }
}
