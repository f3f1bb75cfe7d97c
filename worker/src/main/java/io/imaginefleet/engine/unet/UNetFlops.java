package io.imaginefleet.engine.unet;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Floating-point operations of one UNet forward, counted from the config: every convolution, linear layer and
 * the two attention matrix products (QKᵀ and PV), a multiply-add counting as 2. Norms, activations, softmax
 * and additions (well under 1 % for SD) are not counted.
 *
 * @param conv      convolutions (conv_in/out, resnets, shortcuts, down/upsamplers, 1x1 projections)
 * @param linear    linear layers (time embedding, q/k/v/out projections, feed-forward, linear projections)
 * @param attention attention score and weighted-sum products
 */
public record UNetFlops(long conv, long linear, long attention) {

    public long total() {
        return conv + linear + attention;
    }

    /**
     * Counts a forward on a [batch, in_channels, height, width] latent with a text context of
     * {@code contextLength} tokens (77 for CLIP).
     */
    public static UNetFlops of(UNetConfig c, long batch, long height, long width, long contextLength) {
        Counter k = new Counter(batch, contextLength);
        List<Integer> ch = c.blockOutChannels();
        int n = ch.size();
        int[] layers = c.layersPerBlockList();
        int[] tLayers = c.transformerLayersPerBlockList();
        int[] cross = c.crossAttentionDimPerBlock();
        boolean[] onlyCross = c.onlyCrossAttentionPerBlock();
        long temb = c.timeEmbedDim();
        long h = height;
        long w = width;

        k.linear(1, ch.get(0), temb); // time_embedding.linear_1 (one row per sample)
        k.linear(1, temb, temb);
        k.conv(c.inChannels(), ch.get(0), c.convInKernel(), h, w);
        Deque<long[]> skips = new ArrayDeque<>(); // {channels, h, w}
        skips.push(new long[] {ch.get(0), h, w});
        long out = ch.get(0);
        for (int i = 0; i < n; i++) {
            long in = out;
            out = ch.get(i);
            boolean attn = c.downBlockTypes().get(i).equals("CrossAttnDownBlock2D");
            for (int j = 0; j < layers[i]; j++) {
                k.resnet(j == 0 ? in : out, out, temb, h, w);
                if (attn) {
                    k.transformer(out, tLayers[i], cross[i], onlyCross[i], h, w, c.useLinearProjection());
                }
                skips.push(new long[] {out, h, w});
            }
            if (i < n - 1) {
                h = (h - 1) / 2 + 1;
                w = (w - 1) / 2 + 1;
                k.conv(out, out, 3, h, w);
                skips.push(new long[] {out, h, w});
            }
        }
        long top = ch.get(n - 1);
        k.resnet(top, top, temb, h, w);
        k.transformer(top, tLayers[n - 1], cross[n - 1], false, h, w, c.useLinearProjection());
        k.resnet(top, top, temb, h, w);
        long outCh = top;
        for (int i = 0; i < n; i++) {
            int r = n - 1 - i;
            boolean attn = c.upBlockTypes().get(i).equals("CrossAttnUpBlock2D");
            long prev = outCh;
            outCh = ch.get(r);
            for (int j = 0; j < layers[r] + 1; j++) {
                long[] skip = skips.pop();
                k.resnet((j == 0 ? prev : outCh) + skip[0], outCh, temb, h, w);
                if (attn) {
                    k.transformer(outCh, tLayers[r], cross[r], onlyCross[r], h, w, c.useLinearProjection());
                }
            }
            if (i < n - 1) {
                long[] next = skips.peek();
                h = next[1];
                w = next[2];
                k.conv(outCh, outCh, 3, h, w);
            }
        }
        k.conv(ch.get(0), c.outChannels(), c.convOutKernel(), h, w);
        return new UNetFlops(k.conv, k.linear, k.attention);
    }

    private static final class Counter {
        final long batch;
        final long context;
        long conv;
        long linear;
        long attention;

        Counter(long batch, long context) {
            this.batch = batch;
            this.context = context;
        }

        void conv(long in, long out, long kernel, long h, long w) {
            conv += 2 * batch * in * out * kernel * kernel * h * w;
        }

        void linear(long rows, long in, long out) {
            linear += 2 * batch * rows * in * out;
        }

        void resnet(long in, long out, long temb, long h, long w) {
            conv(in, out, 3, h, w);
            linear(1, temb, out);
            conv(out, out, 3, h, w);
            if (in != out) {
                conv(in, out, 1, h, w);
            }
        }

        void transformer(long c, int layers, long crossDim, boolean onlyCross, long h, long w, boolean linearProj) {
            long tokens = h * w;
            if (linearProj) {
                linear(tokens, c, c);
                linear(tokens, c, c);
            } else {
                conv(c, c, 1, h, w);
                conv(c, c, 1, h, w);
            }
            for (int i = 0; i < layers; i++) {
                // attn1: self-attention, or cross-attention when only_cross_attention
                long kv1 = onlyCross ? context : tokens;
                linear(tokens, c, c);
                linear(kv1, onlyCross ? crossDim : c, 2 * c);
                attention += 2 * 2 * batch * tokens * kv1 * c;
                linear(tokens, c, c);
                // attn2: cross-attention on the text
                linear(tokens, c, c);
                linear(context, crossDim, 2 * c);
                attention += 2 * 2 * batch * tokens * context * c;
                linear(tokens, c, c);
                // GEGLU feed-forward
                linear(tokens, c, 8 * c);
                linear(tokens, 4 * c, c);
            }
        }
    }
}
