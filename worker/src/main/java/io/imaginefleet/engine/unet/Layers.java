package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.EngineOptions;

/**
 * Builds the UNet's layers from a {@link TensorSource}, checking every parameter's shape against the config.
 * Parameters live in {@code manager}, the model's long-lived manager; every forward keeps the activation as the
 * receiver of the operators, so results land in the caller's (per-forward) scope.
 */
final class Layers {
    final TensorSource tensors;
    final NDManager manager;
    final EngineOptions options;

    Layers(TensorSource tensors, NDManager manager, EngineOptions options) {
        this.tensors = tensors;
        this.manager = manager;
        this.options = options;
    }

    /** The parameter {@code name} (shape checked), on the options' device and in the compute dtype. */
    NDArray param(String name, long... shape) {
        NDArray p = tensors.get(manager, name, shape);
        if (!p.getDevice().equals(options.device())) {
            NDArray moved = p.toDevice(options.device(), false);
            p.close();
            p = moved;
        }
        if (p.getDataType() != options.dtype()) {
            NDArray cast = p.toType(options.dtype(), false);
            p.close();
            p = cast;
        }
        return p;
    }

    Linear linear(String prefix, long in, long out, boolean bias) {
        return new Linear(param(prefix + ".weight", out, in), bias ? param(prefix + ".bias", out) : null);
    }

    Conv conv(String prefix, long in, long out, int kernel, int stride, int padding) {
        return new Conv(param(prefix + ".weight", out, in, kernel, kernel), param(prefix + ".bias", out), stride, padding);
    }

    Norm layerNorm(String prefix, long dim, double eps) {
        return new Norm(param(prefix + ".weight", dim), param(prefix + ".bias", dim), eps);
    }

    /** {@code y = x Wᵀ + b} on the last axis. */
    static final class Linear {
        private final NDArray weight;
        private final NDArray bias;

        Linear(NDArray weight, NDArray bias) {
            this.weight = weight;
            this.bias = bias;
        }

        NDArray forward(NDArray x) {
            return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
        }
    }

    /** 2-D convolution (square kernel, dilation 1, one group). */
    static final class Conv {
        private final NDArray weight;
        private final NDArray bias;
        private final Shape stride;
        private final Shape padding;

        Conv(NDArray weight, NDArray bias, int stride, int padding) {
            this.weight = weight;
            this.bias = bias;
            this.stride = new Shape(stride, stride);
            this.padding = new Shape(padding, padding);
        }

        NDArray forward(NDArray x) {
            return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, stride, padding, new Shape(1, 1), 1)
                    .singletonOrThrow();
        }
    }

    /** LayerNorm over the last axis. */
    static final class Norm {
        private final NDArray weight;
        private final NDArray bias;
        private final float eps;
        private final Shape normalized;

        Norm(NDArray weight, NDArray bias, double eps) {
            this.weight = weight;
            this.bias = bias;
            this.eps = (float) eps;
            this.normalized = weight.getShape();
        }

        NDArray forward(NDArray x) {
            return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight, bias, eps).singletonOrThrow();
        }
    }
}
