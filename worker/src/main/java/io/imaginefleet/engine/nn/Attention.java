package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;

/** Reference attention kernels (the UNet owner provides the memory-sliced fast path). */
public final class Attention {
    private Attention() {
    }

    /**
     * {@code softmax(q kᵀ / sqrt(d) + mask) v} on {@code [B·heads, L, d]} arrays; {@code maskOrNull} is added to the
     * scores (broadcastable to {@code [B·heads, Lq, Lk]}). The result lives in {@code q}'s manager.
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray maskOrNull) {
        long d = q.getShape().get(q.getShape().dimension() - 1);
        float scale = (float) (1.0 / Math.sqrt(d));
        NDArray kt = k.transpose(0, 2, 1);
        NDArray scores = q.matMul(kt).muli(scale);
        kt.close();
        if (maskOrNull != null) {
            scores.addi(maskOrNull);
        }
        NDArray probs = scores.softmax(-1);
        scores.close();
        NDArray out = probs.matMul(v);
        probs.close();
        return out;
    }
}
