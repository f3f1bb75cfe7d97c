package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import io.imaginefleet.engine.nn.NormStats;
import io.imaginefleet.engine.nn.Params;
import io.imaginefleet.engine.nn.ResnetBlock2D;

/** diffusers {@code UNetMidBlock2D} as used by the VAE: resnet → attention → resnet, no time embedding. */
final class VaeMidBlock {
    private final ResnetBlock2D first;
    private final VaeAttention attention;
    private final ResnetBlock2D second;

    private VaeMidBlock(ResnetBlock2D first, VaeAttention attention, ResnetBlock2D second) {
        this.first = first;
        this.attention = attention;
        this.second = second;
    }

    static VaeMidBlock load(Params p, String prefix, long channels, int groups, float eps) {
        return new VaeMidBlock(
                ResnetBlock2D.load(p, prefix + ".resnets.0", channels, channels, groups, eps),
                VaeAttention.load(p, prefix + ".attentions.0", channels, groups, eps),
                ResnetBlock2D.load(p, prefix + ".resnets.1", channels, channels, groups, eps));
    }

    NDArray forward(NDArray x, NormStats stats) {
        NDArray h = first.forward(x, null, stats);
        NDArray a = attention.forward(h, stats);
        h.close();
        NDArray out = second.forward(a, null, stats);
        a.close();
        return out;
    }
}
