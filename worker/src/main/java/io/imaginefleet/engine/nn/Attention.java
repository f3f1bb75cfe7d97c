package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;

/** Attention kernels: the fast path ({@link FastAttention}) and the plain reference. */
public final class Attention {
    private Attention() {
    }

    /**
     * {@code softmax(q kᵀ / sqrt(d) + mask) v} on {@code [B·heads, L, d]} arrays; {@code maskOrNull} is added to the
     * scores (broadcastable to {@code [B·heads, Lq, Lk]}). The result lives in {@code q}'s manager. Runs
     * {@link FastAttention} with the default budget ({@link io.imaginefleet.engine.EngineOptions#DEFAULT_ATTENTION_BUDGET}).
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray maskOrNull) {
        return FastAttention.scaledDotProduct(q, k, v, maskOrNull,
                io.imaginefleet.engine.EngineOptions.DEFAULT_ATTENTION_BUDGET);
    }

    /**
     * As {@link #scaledDotProduct(NDArray, NDArray, NDArray, NDArray)}, never holding a score matrix larger than
     * {@code budgetBytes} (fused flash attention when available; otherwise sliced per head / query block).
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray maskOrNull, long budgetBytes) {
        return FastAttention.scaledDotProduct(q, k, v, maskOrNull, budgetBytes);
    }

    /** The unsliced reference: one score matrix for all heads (used to check the fast paths). */
    public static NDArray reference(NDArray q, NDArray k, NDArray v, NDArray maskOrNull) {
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
