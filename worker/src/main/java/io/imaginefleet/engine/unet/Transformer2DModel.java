package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;

/**
 * diffusers {@code Transformer2DModel} on continuous (image) input: GroupNorm(eps 1e-6) → {@code proj_in}
 * (1x1 conv, or Linear with {@code use_linear_projection}) → flatten to tokens → {@link BasicTransformerBlock}s →
 * {@code proj_out} → back to [B, C, H, W] → plus the input.
 */
final class Transformer2DModel {
    private final GroupNormAct norm;
    private final Layers.Conv projInConv;
    private final Layers.Linear projInLinear;
    private final BasicTransformerBlock[] blocks;
    private final Layers.Conv projOutConv;
    private final Layers.Linear projOutLinear;
    private final boolean linearProjection;

    Transformer2DModel(Layers l, String p, int channels, int heads, int layers, int crossAttentionDim, int groups,
                       boolean linearProjection, boolean onlyCrossAttention) {
        int inner = heads * (channels / heads);
        this.linearProjection = linearProjection;
        norm = new GroupNormAct(l, p + ".norm", channels, groups, 1e-6, false);
        projInConv = linearProjection ? null : l.conv(p + ".proj_in", channels, inner, 1, 1, 0);
        projInLinear = linearProjection ? l.linear(p + ".proj_in", channels, inner, true) : null;
        blocks = new BasicTransformerBlock[layers];
        for (int i = 0; i < layers; i++) {
            blocks[i] = new BasicTransformerBlock(l, p + ".transformer_blocks." + i, inner, heads, crossAttentionDim,
                    onlyCrossAttention);
        }
        projOutConv = linearProjection ? null : l.conv(p + ".proj_out", inner, channels, 1, 1, 0);
        projOutLinear = linearProjection ? l.linear(p + ".proj_out", inner, channels, true) : null;
    }

    NDArray forward(NDArray x, NDArray context) {
        return Ops.scoped(() -> run(x, context), x, context);
    }

    private NDArray run(NDArray x, NDArray context) {
        long[] s = x.getShape().getShape();
        long b = s[0], c = s[1], h = s[2], w = s[3];
        NDArray t = norm.forward(x);
        if (linearProjection) {
            t = projInLinear.forward(toTokens(t));
        } else {
            t = toTokens(projInConv.forward(t));
        }
        for (BasicTransformerBlock block : blocks) {
            NDArray in = t;
            t = Ops.scoped(() -> block.forward(in, context), in, context);
        }
        long inner = t.getShape().get(2);
        NDArray out;
        if (linearProjection) {
            out = fromTokens(projOutLinear.forward(t), b, h, w, c);
        } else {
            out = projOutConv.forward(fromTokens(t, b, h, w, inner));
        }
        return out.addi(x);
    }

    private static NDArray toTokens(NDArray t) {
        long[] s = t.getShape().getShape();
        return t.transpose(0, 2, 3, 1).reshape(s[0], s[2] * s[3], s[1]);
    }

    private static NDArray fromTokens(NDArray t, long b, long h, long w, long c) {
        return t.reshape(b, h, w, c).transpose(0, 3, 1, 2);
    }
}
