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

    /**
     * The block over a whole-image map in strips: the resnets exactly; the attention's queries of each strip attend to
     * the strip and {@code attentionHalo} rows on each side (the whole map when the halo covers it, as untiled).
     */
    FeatureMap forward(FeatureMap x, Strips strips, long attentionHalo) {
        FeatureMap h = strips.resnet(x, first);
        try {
            NormStats stats = h.moments().asNormStats();
            h = Strips.replace(h, strips.map(h, null, Strips.Geometry.window(attentionHalo), attention.channels(),
                    (crop, from, to, aux) -> attention.forwardRows(crop, stats, from, to)));
            return Strips.replace(h, strips.resnet(h, second));
        } catch (RuntimeException | Error e) {
            h.close();
            throw e;
        }
    }
}
