package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;

/** diffusers {@code UNetMidBlock2DCrossAttn}: resnet, then (transformer → resnet) per layer (one layer in SD). */
final class UNetMidBlock2DCrossAttn {
    private final ResnetBlock2D[] resnets;
    private final Transformer2DModel[] attentions;

    UNetMidBlock2DCrossAttn(ResnetBlock2D[] resnets, Transformer2DModel[] attentions) {
        if (resnets.length != attentions.length + 1) {
            throw new IllegalArgumentException("mid block needs one more resnet than transformers");
        }
        this.resnets = resnets;
        this.attentions = attentions;
    }

    NDArray forward(NDArray x, NDArray tembAct, NDArray context) {
        x = resnets[0].forward(x, tembAct); // the input is a skip: left alone
        for (int i = 0; i < attentions.length; i++) {
            NDArray a = attentions[i].forward(x, context);
            x.close();
            x = resnets[i + 1].forward(a, tembAct);
            a.close();
        }
        return x;
    }
}
