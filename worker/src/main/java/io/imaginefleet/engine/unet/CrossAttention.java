package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import io.imaginefleet.engine.nn.FastAttention;

/**
 * diffusers {@code Attention} as the UNet's transformer blocks use it: bias-free {@code to_q/to_k/to_v},
 * multi-head scaled dot-product attention (fused, or sliced under the memory budget, by {@link FastAttention}) and
 * {@code to_out.0} with bias. Self-attention when no context is given, cross-attention otherwise.
 */
final class CrossAttention {
    private final Layers.Linear toQ;
    private final Layers.Linear toK;
    private final Layers.Linear toV;
    private final Layers.Linear toOut;
    private final int heads;
    private final long budgetBytes;

    /** @param contextDim width of the keys/values' source: the query width for self-attention */
    CrossAttention(Layers l, String p, int dim, int contextDim, int heads) {
        toQ = l.linear(p + ".to_q", dim, dim, false);
        toK = l.linear(p + ".to_k", contextDim, dim, false);
        toV = l.linear(p + ".to_v", contextDim, dim, false);
        toOut = l.linear(p + ".to_out.0", dim, dim, true);
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
