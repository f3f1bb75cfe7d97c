package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import io.imaginefleet.engine.nn.Attention;
import io.imaginefleet.engine.nn.GroupNorm;
import io.imaginefleet.engine.nn.Linear;
import io.imaginefleet.engine.nn.NormStats;
import io.imaginefleet.engine.nn.Params;

/**
 * The VAE mid-block self-attention (diffusers {@code Attention} with {@code group_norm}, one head over all
 * channels, residual connection): {@code x + to_out(softmax(q kᵀ/√C) v)} over the H·W positions. Queries are
 * processed in slices so the score matrix stays under the attention budget. Also reads pre-0.14 checkpoints
 * ({@code query/key/value/proj_attn}).
 */
final class VaeAttention {
    private final GroupNorm norm;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final long budgetBytes;

    private VaeAttention(GroupNorm norm, Linear q, Linear k, Linear v, Linear out, long budgetBytes) {
        this.norm = norm;
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
        this.budgetBytes = budgetBytes;
    }

    static VaeAttention load(Params p, String prefix, long channels, int groups, float eps) {
        boolean legacy = !p.has(prefix + ".to_q.weight") && p.has(prefix + ".query.weight");
        GroupNorm gn = GroupNorm.load(p, prefix + ".group_norm", channels, groups, eps);
        Linear q = Linear.load(p, prefix + (legacy ? ".query" : ".to_q"), channels, channels);
        Linear k = Linear.load(p, prefix + (legacy ? ".key" : ".to_k"), channels, channels);
        Linear v = Linear.load(p, prefix + (legacy ? ".value" : ".to_v"), channels, channels);
        Linear o = Linear.load(p, prefix + (legacy ? ".proj_attn" : ".to_out.0"), channels, channels);
        return new VaeAttention(gn, q, k, v, o, p.options().attentionBudgetBytes());
    }

    NDArray forward(NDArray x, NormStats stats) {
        return forwardRows(x, stats, 0, x.getShape().get(2));
    }

    /**
     * Attention output for rows {@code [from, to)} of {@code x}: those rows' positions attend to every position of
     * {@code x} (the whole map, or a strip with its context rows when the VAE runs in strips).
     */
    NDArray forwardRows(NDArray x, NormStats stats, long from, long to) {
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        long l = h * w;
        long lq = (to - from) * w;
        NDArray normed = stats.apply(norm, x);
        NDArray flat = normed.reshape(b, c, l);
        NDArray seq = flat.transpose(0, 2, 1); // [B, L, C]
        normed.close();
        flat.close();
        NDArray querySeq = lq == l ? seq : seq.get(new NDIndex(":, {}:{}", from * w, to * w));
        NDArray qa = q.forward(querySeq);
        if (querySeq != seq) {
            querySeq.close();
        }
        NDArray ka = k.forward(seq);
        NDArray va = v.forward(seq);
        seq.close();
        long perRow = l * 4L * 3; // scores + exp + probs of one query row
        long slice = Math.max(1, Math.min(lq, budgetBytes / Math.max(1, perRow * b)));
        NDArray attn;
        if (slice >= lq) {
            attn = Attention.scaledDotProduct(qa, ka, va, null);
        } else {
            NDList parts = new NDList();
            for (long s = 0; s < lq; s += slice) {
                NDArray qs = qa.get(new NDIndex(":, {}:{}", s, Math.min(lq, s + slice)));
                parts.add(Attention.scaledDotProduct(qs, ka, va, null));
                qs.close();
            }
            attn = NDArrays.concat(parts, 1);
            parts.close();
        }
        qa.close();
        ka.close();
        va.close();
        NDArray projected = out.forward(attn);
        attn.close();
        NDArray back = projected.transpose(0, 2, 1).reshape(b, c, to - from, w);
        projected.close();
        if (from == 0 && to == h) {
            return back.addi(x);
        }
        NDArray residual = x.get(new NDIndex(":, :, {}:{}", from, to));
        back.addi(residual);
        residual.close();
        return back;
    }

    long channels() {
        return norm.channels();
    }
}
