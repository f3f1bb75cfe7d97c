package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;

/**
 * diffusers {@code BasicTransformerBlock} (norm_type "layer_norm", GEGLU): LayerNorm → self-attention (or
 * cross-attention when {@code only_cross_attention}) → LayerNorm → cross-attention on the text → LayerNorm →
 * feed-forward, each with a residual connection.
 */
final class BasicTransformerBlock {
    private final Layers.Norm norm1;
    private final CrossAttention attn1;
    private final Layers.Norm norm2;
    private final CrossAttention attn2;
    private final Layers.Norm norm3;
    private final FeedForward ff;
    private final boolean onlyCrossAttention;

    BasicTransformerBlock(Layers l, String p, int dim, int heads, int crossAttentionDim, boolean onlyCrossAttention) {
        this.onlyCrossAttention = onlyCrossAttention;
        norm1 = l.layerNorm(p + ".norm1", dim, 1e-5);
        attn1 = new CrossAttention(l, p + ".attn1", dim, onlyCrossAttention ? crossAttentionDim : dim, heads);
        norm2 = l.layerNorm(p + ".norm2", dim, 1e-5);
        attn2 = new CrossAttention(l, p + ".attn2", dim, crossAttentionDim, heads);
        norm3 = l.layerNorm(p + ".norm3", dim, 1e-5);
        ff = new FeedForward(l, p + ".ff", dim);
    }

    /** @param x [B, N, C]; @param context [B, 77, D] */
    NDArray forward(NDArray x, NDArray context) {
        x = x.add(attn1.forward(norm1.forward(x), onlyCrossAttention ? context : null));
        x = x.addi(attn2.forward(norm2.forward(x), context));
        return x.addi(ff.forward(norm3.forward(x)));
    }
}
