package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.io.Weights;

/** {@code torch.nn.LayerNorm} over the last axis (elementwise affine). */
public final class LayerNorm {
    private final NDArray gamma;
    private final NDArray beta;
    private final float eps;
    private final Shape normalizedShape;

    /** From explicit parameters ({@code gamma}, {@code beta} [D]). */
    public LayerNorm(NDArray gamma, NDArray beta, float eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
        this.normalizedShape = gamma.getShape();
    }

    /** Loads {@code prefix.weight} and {@code prefix.bias} (a missing bias means zeros). */
    public static LayerNorm load(Params p, String prefix, float eps) {
        NDArray g = p.get(prefix + ".weight");
        NDArray b = p.optional(prefix + ".bias", g.getShape().getShape());
        if (b == null) {
            b = g.zerosLike();
        }
        return new LayerNorm(g, b, eps);
    }

    /** Loads and checks the size {@code dim}. */
    public static LayerNorm load(Params p, String prefix, long dim, float eps) {
        NDArray g = p.get(prefix + ".weight", dim);
        NDArray b = p.optional(prefix + ".bias", dim);
        return new LayerNorm(g, b == null ? g.zerosLike() : b, eps);
    }

    /** Loads CPU float32 parameters. */
    public static LayerNorm load(Weights weights, NDManager manager, String prefix, float eps) {
        return load(new Params(weights, manager), prefix, eps);
    }

    /** Normalises the last axis; the result lives in {@code x}'s manager. */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalizedShape, gamma, beta, eps).singletonOrThrow();
    }
}
