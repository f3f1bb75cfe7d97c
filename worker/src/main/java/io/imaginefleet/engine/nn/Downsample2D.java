package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers {@code Downsample2D} with a conv: stride-2 3×3 conv. With {@code padding = 0} (VAE encoders) the input is
 * first padded asymmetrically by one pixel on the right and bottom, as {@code F.pad(x, (0, 1, 0, 1))}.
 */
public final class Downsample2D {
    private static final Shape ASYMMETRIC_PAD = new Shape(0, 1, 0, 1);
    private final Conv2d conv;
    private final boolean asymmetricPad;

    private Downsample2D(Conv2d conv, boolean asymmetricPad) {
        this.conv = conv;
        this.asymmetricPad = asymmetricPad;
    }

    /** Loads {@code prefix.conv}; {@code padding} 0 (VAE) or 1 (UNet). */
    public static Downsample2D load(Params p, String prefix, long channels, int padding) {
        return new Downsample2D(Conv2d.load(p, prefix + ".conv", channels, channels, 3, 2, padding), padding == 0);
    }

    /** Applies the downsampler. */
    public NDArray forward(NDArray x) {
        if (!asymmetricPad) {
            return conv.forward(x);
        }
        NDArray padded = x.pad(ASYMMETRIC_PAD, 0);
        NDArray out = conv.forward(padded);
        padded.close();
        return out;
    }
}
