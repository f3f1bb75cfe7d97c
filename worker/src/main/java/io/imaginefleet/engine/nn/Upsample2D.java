package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;

/** diffusers {@code Upsample2D} with a conv: nearest ×2 (or to a given size), then a 3×3 conv. */
public final class Upsample2D {
    private final Conv2d conv;

    private Upsample2D(Conv2d conv) {
        this.conv = conv;
    }

    /** Loads {@code prefix.conv}. */
    public static Upsample2D load(Params p, String prefix, long channels) {
        return new Upsample2D(Conv2d.load(p, prefix + ".conv", channels, channels, 3, 1, 1));
    }

    /** Upsamples ×2. */
    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    /** Upsamples to {@code outputSize} = {h, w} (or ×2 when null), as diffusers' {@code output_size}. */
    public NDArray forward(NDArray x, long[] outputSize) {
        NDArray up = outputSize == null ? Ops.upsample2x(x) : Ops.nearest(x, outputSize[0], outputSize[1]);
        NDArray out = conv.forward(up);
        up.close();
        return out;
    }
}
