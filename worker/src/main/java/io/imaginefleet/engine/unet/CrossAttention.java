package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import io.imaginefleet.engine.nn.FastAttention;
import io.imaginefleet.engine.nn.Linear;

/**
 * diffusers {@code Attention} as the UNet's transformer blocks use it: bias-free {@code to_q/to_k/to_v},
 * multi-head scaled dot-product attention (fused, or sliced under the memory budget, by {@link FastAttention}) and
 * {@code to_out.0} with bias. Self-attention when no context is given, cross-attention otherwise.
 */
final class CrossAttention {
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;
    private final int heads;
    private final long budgetBytes;

    CrossAttention(Layers l, String p, int heads) {
        toQ = l.linear(p + ".to_q");
        toK = l.linear(p + ".to_k");
        toV = l.linear(p + ".to_v");
        toOut = l.linear(p + ".to_out.0");
        this.heads = heads;
        this.budgetBytes = l.options.attentionBudgetBytes();
    }

    /**
     * @param x       [B, N, C] queries
     * @param context [B, M, D] keys/values, or null for self-attention
     */
    NDArray forward(NDArray x, NDArray context) {
        NDArray ctx = context != null ? context : x;
        NDArray q = toQ.forward(x);
        NDArray k = toK.forward(ctx);
        NDArray v = toV.forward(ctx);
        return toOut.forward(FastAttention.multiHead(q, k, v, heads, budgetBytes));
    }
}
