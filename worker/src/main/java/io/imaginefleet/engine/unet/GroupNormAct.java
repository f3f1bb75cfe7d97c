package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.imaginefleet.engine.nn.FusedOps;

/**
 * GroupNorm with affine weights, optionally followed by SiLU — fused into libtorch's native {@code group_norm}
 * and an in-place SiLU when {@link FusedOps} is available (one pass instead of six), composed from DJL
 * operators otherwise.
 */
final class GroupNormAct {
    private final NDArray weight;
    private final NDArray bias;
    private final NDArray weight4;
    private final NDArray bias4;
    private final int groups;
    private final double eps;
    private final boolean silu;

    GroupNormAct(Layers l, String prefix, int channels, int groups, double eps, boolean silu) {
        this.weight = l.param(prefix + ".weight", channels);
        this.bias = l.param(prefix + ".bias", channels);
        this.weight4 = weight.reshape(1, channels, 1, 1);
        this.bias4 = bias.reshape(1, channels, 1, 1);
        this.groups = groups;
        this.eps = eps;
        this.silu = silu;
    }

    NDArray forward(NDArray x) {
        if (FusedOps.available()) {
            return FusedOps.groupNorm(x, weight, bias, groups, eps, silu);
        }
        long[] s = x.getShape().getShape();
        NDArray g = x.reshape(s[0], groups, -1);
        NDArray centered = g.sub(g.mean(new int[] {2}, true));
        NDArray std = centered.square().mean(new int[] {2}, true).addi((float) eps).sqrt();
        NDArray y = centered.divi(std).reshape(s).muli(weight4).addi(bias4);
        return silu ? y.muli(Activation.sigmoid(y)) : y;
    }
}
