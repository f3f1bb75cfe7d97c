package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.imaginefleet.engine.nn.FusedOps;

/** diffusers {@code FeedForward} with GEGLU: {@code net.0.proj} → value * gelu(gate) → {@code net.2}. */
final class FeedForward {
    private final Layers.Linear proj;
    private final Layers.Linear out;

    FeedForward(Layers l, String p, int dim) {
        proj = l.linear(p + ".net.0.proj", dim, 8L * dim, true);
        out = l.linear(p + ".net.2", 4L * dim, dim, true);
    }

    NDArray forward(NDArray x) {
        NDArray h = proj.forward(x);
        if (FusedOps.available()) {
            return out.forward(FusedOps.geglu(h));
        }
        long last = h.getShape().get(h.getShape().dimension() - 1);
        long half = last / 2;
        NDArray value = h.get("..., :" + half);
        NDArray gate = h.get("..., " + half + ":");
        return out.forward(value.mul(Activation.gelu(gate)));
    }
}
