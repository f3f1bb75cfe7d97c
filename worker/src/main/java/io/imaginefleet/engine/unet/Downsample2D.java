package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;

/** diffusers {@code Downsample2D} with {@code use_conv}: a 3x3 convolution with stride 2. */
final class Downsample2D {
    private final Layers.Conv conv;

    Downsample2D(Layers l, String p, int channels, int padding) {
        conv = l.conv(p + ".conv", channels, channels, 3, 2, padding);
    }

    NDArray forward(NDArray x) {
        return conv.forward(x);
    }
}
