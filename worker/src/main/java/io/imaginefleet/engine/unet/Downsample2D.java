package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import io.imaginefleet.engine.nn.Conv2d;

/** diffusers {@code Downsample2D} with {@code use_conv}: a 3x3 convolution with stride 2. */
final class Downsample2D {
    private final Conv2d conv;

    Downsample2D(Layers l, String p, int padding) {
        conv = l.conv(p + ".conv", 2, padding);
    }

    NDArray forward(NDArray x) {
        return conv.forward(x);
    }
}
