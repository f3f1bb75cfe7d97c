package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;

/** diffusers {@code Upsample2D} with {@code use_conv}: nearest-neighbour ×2 (or to a given size), then conv3x3. */
final class Upsample2D {
    private final Layers.Conv conv;

    Upsample2D(Layers l, String p, int channels) {
        conv = l.conv(p + ".conv", channels, channels, 3, 1, 1);
    }

    /** @param size target [H, W], or null for twice the input size */
    NDArray forward(NDArray x, long[] size) {
        long[] s = x.getShape().getShape();
        long[] target = size != null ? size : new long[] {s[2] * 2, s[3] * 2};
        NDArray up;
        if (target[0] == s[2] * 2 && target[1] == s[3] * 2) {
            // exact ×2 nearest: repeat each pixel (same values as F.interpolate(mode="nearest"))
            up = x.reshape(s[0], s[1], s[2], 1, s[3], 1).broadcast(s[0], s[1], s[2], 2, s[3], 2)
                    .reshape(s[0], s[1], s[2] * 2, s[3] * 2);
        } else {
            up = x.getNDArrayInternal().interpolation(target, 0, false);
        }
        NDArray out = conv.forward(up);
        up.close();
        return out;
    }
}
