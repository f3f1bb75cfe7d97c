package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** Element-wise helpers of the UNet; results land in the manager of the argument. */
final class Ops {
    private Ops() {
    }

    /** SiLU (swish): x · sigmoid(x). */
    static NDArray silu(NDArray x) {
        return Activation.swish(x, 1f);
    }
}
