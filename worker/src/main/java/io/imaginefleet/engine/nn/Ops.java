package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;

/** Small shared tensor helpers; every result lives in the receiver's manager. */
public final class Ops {
    private Ops() {
    }

    /** SiLU / swish: {@code x · sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        return x.getNDArrayInternal().sigmoid().muli(x);
    }

    /** Nearest-neighbour resize of NCHW {@code x} to {@code h × w} (as {@code F.interpolate(mode="nearest")}). */
    public static NDArray nearest(NDArray x, long h, long w) {
        return x.getNDArrayInternal().interpolation(new long[] {h, w}, 0, false);
    }

    /** Nearest-neighbour ×2 upsampling of NCHW {@code x}. */
    public static NDArray upsample2x(NDArray x) {
        return nearest(x, x.getShape().get(2) * 2, x.getShape().get(3) * 2);
    }

    /** {@code conv(SiLU(norm(x)))} with {@code stats} applying the norm: the output layers of VAE encoders and decoders. */
    public static NDArray normSiluConv(NDArray x, NormStats stats, GroupNorm norm, Conv2d conv) {
        NDArray n = stats.apply(norm, x);
        NDArray a = silu(n);
        n.close();
        NDArray out = conv.forward(a);
        a.close();
        return out;
    }
}
