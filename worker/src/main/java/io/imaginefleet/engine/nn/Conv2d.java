package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.io.Weights;

/** {@code torch.nn.Conv2d} with square kernel, symmetric padding, stride and groups; NCHW. */
public final class Conv2d {
    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;
    private final Shape dilation = new Shape(1, 1);
    private final int groups;

    /** From explicit parameters: {@code weight} [out, in/groups, kh, kw], {@code bias} [out] or null. */
    public Conv2d(NDArray weight, NDArray bias, int stride, int padding, int groups) {
        this.weight = weight;
        this.bias = bias;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        this.groups = groups;
    }

    /** Loads {@code prefix.weight}/{@code prefix.bias} with the given stride and padding. */
    public static Conv2d load(Params p, String prefix, int stride, int padding) {
        NDArray w = p.get(prefix + ".weight");
        if (w.getShape().dimension() != 4) {
            throw new io.imaginefleet.engine.io.ModelFormatException("tensor '" + prefix + ".weight' in "
                    + p.weights().source() + " has shape " + w.getShape() + ", expected a 4-D conv kernel");
        }
        return new Conv2d(w, p.optional(prefix + ".bias", w.getShape().get(0)), stride, padding, 1);
    }

    /** Loads and checks the shape [{@code out}, {@code in}, {@code k}, {@code k}]. */
    public static Conv2d load(Params p, String prefix, long in, long out, int k, int stride, int padding) {
        NDArray w = p.get(prefix + ".weight", out, in, k, k);
        return new Conv2d(w, p.optional(prefix + ".bias", out), stride, padding, 1);
    }

    /** Loads CPU float32 parameters; stride 1, "same" padding for odd kernels. */
    public static Conv2d load(Weights weights, NDManager manager, String prefix, int stride, int padding) {
        return load(new Params(weights, manager), prefix, stride, padding);
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    public long outChannels() {
        return weight.getShape().get(0);
    }

    public long inChannels() {
        return weight.getShape().get(1) * groups;
    }

    /** Applies the convolution; the result lives in {@code x}'s manager. */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, stride, padding, dilation, groups).singletonOrThrow();
    }
}
