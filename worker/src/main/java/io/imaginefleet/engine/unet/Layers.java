package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDManager;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.io.Weights;
import io.imaginefleet.engine.nn.Conv2d;
import io.imaginefleet.engine.nn.LayerNorm;
import io.imaginefleet.engine.nn.Linear;

/**
 * Builds the {@code nn} layers of one UNet from its weights: the single place that knows how the {@code nn}
 * modules are constructed. Weights are loaded into {@code manager}, the model's long-lived manager.
 */
final class Layers {
    final Weights weights;
    final NDManager manager;
    final EngineOptions options;

    Layers(Weights weights, NDManager manager, EngineOptions options) {
        this.weights = weights;
        this.manager = manager;
        this.options = options;
    }

    Linear linear(String prefix) {
        return new Linear(weights, manager, prefix);
    }

    Conv2d conv(String prefix, int stride, int padding) {
        return new Conv2d(weights, manager, prefix, stride, padding);
    }

    LayerNorm layerNorm(String prefix, double eps) {
        return new LayerNorm(weights, manager, prefix, (float) eps);
    }

    boolean has(String name) {
        return weights.has(name);
    }

    long[] shape(String name) {
        return weights.shape(name);
    }
}
