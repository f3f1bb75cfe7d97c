package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * How a module applies its group norms: normally {@link GroupNorm#forward(NDArray)}; a VAE run in strips supplies
 * one that applies the whole image's statistics.
 */
@FunctionalInterface
public interface NormStats {
    /** Normalises {@code x} with {@code norm}; the result lives in {@code x}'s manager. */
    NDArray apply(GroupNorm norm, NDArray x);

    /** Plain group norm with each input's own statistics. */
    NormStats LOCAL = GroupNorm::forward;
}
