package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * How a module applies its group norms: normally {@link GroupNorm#forward(NDArray)}; tiled VAE decoding supplies
 * an implementation that records per-tile statistics or applies whole-image statistics.
 */
@FunctionalInterface
public interface NormStats {
    /** Normalises {@code x} with {@code norm}; the result lives in {@code x}'s manager. */
    NDArray apply(GroupNorm norm, NDArray x);

    /** Plain group norm with each input's own statistics. */
    NormStats LOCAL = GroupNorm::forward;
}
