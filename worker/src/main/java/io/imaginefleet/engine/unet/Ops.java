package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.imaginefleet.engine.nn.FusedOps;

/** Element-wise helpers of the UNet; results land in the manager of the argument. */
final class Ops {
    private Ops() {
    }

    /** SiLU (swish): x · sigmoid(x). */
    static NDArray silu(NDArray x) {
        return FusedOps.available() ? FusedOps.silu(x) : x.mul(Activation.sigmoid(x));
    }

    /**
     * Runs {@code body} with {@code inputs} temporarily attached to a fresh sub-manager, so that everything the
     * body computes from them is freed when it returns; only the result moves to the first input's manager.
     */
    static NDArray scoped(java.util.function.Supplier<NDArray> body, NDArray... inputs) {
        ai.djl.ndarray.NDManager parent = inputs[0].getManager();
        try (ai.djl.ndarray.NDManager scope = parent.newSubManager()) {
            for (NDArray in : inputs) {
                if (in != null) {
                    in.tempAttach(scope);
                }
            }
            NDArray out = body.get();
            out.attach(parent);
            return out;
        }
    }
}
