package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.imaginefleet.engine.io.Weights;

/** {@code torch.nn.Linear}: {@code y = x Wᵀ + b} over the last axis (any number of leading axes). */
public final class Linear {
    private final NDArray weight;
    private final NDArray bias;

    /** From explicit parameters ({@code weight} [out, in], {@code bias} [out] or null). */
    public Linear(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** Loads {@code prefix.weight} (and {@code prefix.bias} when present); 1×1 conv kernels are accepted. */
    public static Linear load(Params p, String prefix) {
        String wn = prefix + ".weight";
        long[] s = p.shape(wn);
        NDArray w = s.length == 2 ? p.get(wn) : p.getReshaped(wn, s[0], s.length > 1 ? s[1] : 1);
        return new Linear(w, p.optional(prefix + ".bias", s[0]));
    }

    /** Loads and checks the shape [{@code out}, {@code in}]. */
    public static Linear load(Params p, String prefix, long in, long out) {
        String wn = prefix + ".weight";
        long[] s = p.shape(wn);
        NDArray w = s.length == 2 ? p.get(wn, out, in) : p.getReshaped(wn, out, in);
        return new Linear(w, p.optional(prefix + ".bias", out));
    }

    /** Loads CPU float32 parameters from {@code weights} into {@code manager}. */
    public static Linear load(Weights weights, NDManager manager, String prefix) {
        return load(new Params(weights, manager), prefix);
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    public long inFeatures() {
        return weight.getShape().get(1);
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }

    /** Applies the layer; the result lives in {@code x}'s manager. */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }
}
