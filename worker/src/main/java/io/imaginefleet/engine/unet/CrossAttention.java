package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import io.imaginefleet.engine.nn.Attention;
import io.imaginefleet.engine.nn.Linear;

/**
 * diffusers {@code Attention} as the UNet's transformer blocks use it: bias-free {@code to_q/to_k/to_v},
 * multi-head scaled dot-product attention (sliced under the memory budget by {@link Attention}) and
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
        NDArray q = toHeads(toQ.forward(x));
        NDArray k = toHeads(toK.forward(ctx));
        NDArray v = toHeads(toV.forward(ctx));
        NDArray o = Attention.scaledDotProduct(q, k, v, null, budgetBytes);
        long[] s = x.getShape().getShape();
        long d = o.getShape().get(2);
        o = o.reshape(s[0], heads, s[1], d).transpose(0, 2, 1, 3).reshape(s[0], s[1], heads * d);
        return toOut.forward(o);
    }

    private NDArray toHeads(NDArray t) {
        long[] s = t.getShape().getShape();
        long d = s[2] / heads;
        return t.reshape(s[0], s[1], heads, d).transpose(0, 2, 1, 3).reshape(s[0] * heads, s[1], d);
    }
}
