package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

import java.util.ArrayList;
import java.util.List;

/**
 * Scaled dot-product attention that never materialises more of the score matrix than a memory budget allows.
 *
 * <ul>
 *   <li>Fused path (default when {@link FusedOps#available()} and there is no mask): libtorch's
 *       {@code scaled_dot_product_attention}, which on CPU runs blocked "flash" attention (online softmax over key
 *       blocks, per query block and head, spread over the intra-op threads): no score matrix at all.</li>
 *   <li>Sliced path (masks, other engines, or {@code imaginefleet.fusedOps=false}): scores are computed for a
 *       slice of heads, or for a block of query rows of one head, at a time, so that one slice's scores stay
 *       within {@code min(budget, SLICE_BYTES)} — small enough to stay in the L2/L3 cache between the two
 *       matrix products and the softmax — and each slice's temporaries are freed before the next.</li>
 * </ul>
 * Results are attached to the manager of {@code q}.
 */
public final class FastAttention {
    /** Target size of one slice's score matrix on the sliced path (fits the L3 cache, keeps allocations small). */
    public static final long SLICE_BYTES = 4L << 20;

    private FastAttention() {
    }

    /**
     * Multi-head attention on projected tokens: q [B, N, heads·d], k and v [B, M, heads·d] → [B, N, heads·d]
     * (what diffusers' {@code AttnProcessor} does between {@code to_q/k/v} and {@code to_out}).
     */
    public static NDArray multiHead(NDArray q, NDArray k, NDArray v, int heads, long budgetBytes) {
        long[] qs = q.getShape().getShape();
        long[] ks = k.getShape().getShape();
        long b = qs[0], n = qs[1], c = qs[2], m = ks[1], d = c / heads;
        if (FusedOps.available()) {
            NDArray q4 = q.reshape(b, n, heads, d).transpose(0, 2, 1, 3);
            NDArray k4 = k.reshape(b, m, heads, d).transpose(0, 2, 1, 3);
            NDArray v4 = v.reshape(b, m, heads, d).transpose(0, 2, 1, 3);
            NDArray o = FusedOps.sdpa(q4, k4, v4);
            return o.transpose(0, 2, 1, 3).reshape(b, n, c);
        }
        NDArray o = sliced(toHeads(q, heads), toHeads(k, heads), toHeads(v, heads), null, budgetBytes);
        return o.reshape(b, heads, n, d).transpose(0, 2, 1, 3).reshape(b, n, c);
    }

    /**
     * Attention on [B·heads, L, d] inputs with an optional additive mask broadcastable to [B·heads, L, M].
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray maskOrNull, long budgetBytes) {
        long dq = q.getShape().get(2);
        if (maskOrNull == null && k.getShape().get(2) == dq && v.getShape().get(2) == dq && FusedOps.available()) {
            // equal head dims and 4-D inputs: conditions under which libtorch picks its flash kernel
            long[] s = q.getShape().getShape();
            NDArray o = FusedOps.sdpa(q.expandDims(0), k.expandDims(0), v.expandDims(0));
            return o.reshape(s[0], s[1], v.getShape().get(2));
        }
        return sliced(q, k, v, maskOrNull, budgetBytes);
    }

    /** The sliced (matMul → softmax → matMul) path; see the class comment. */
    public static NDArray sliced(NDArray q, NDArray k, NDArray v, NDArray maskOrNull, long budgetBytes) {
        long[] s = q.getShape().getShape();
        long bh = s[0], l = s[1], d = s[2], m = k.getShape().get(1);
        float scale = (float) (1.0 / Math.sqrt(d));
        long limit = Math.max(1, Math.min(budgetBytes, SLICE_BYTES));
        long rowBytes = m * 4L;
        long rows = Math.max(1, limit / rowBytes);
        if (rows >= bh * l) {
            return slice(q, k, v, maskOrNull, scale);
        }
        List<NDArray> parts = new ArrayList<>();
        if (rows >= l) {
            long headsPerSlice = rows / l;
            for (long h0 = 0; h0 < bh; h0 += headsPerSlice) {
                long h1 = Math.min(bh, h0 + headsPerSlice);
                NDIndex idx = new NDIndex("{}:{}", h0, h1);
                parts.add(sliceAndFree(q.get(idx), k.get(idx), v.get(idx), maskSlice(maskOrNull, bh, l, h0, h1, 0, l),
                        scale));
            }
            return concatAndFree(parts, 0);
        }
        for (long h = 0; h < bh; h++) {
            NDIndex head = new NDIndex("{}:{}", h, h + 1);
            NDArray kh = k.get(head);
            NDArray vh = v.get(head);
            List<NDArray> blocks = new ArrayList<>();
            for (long r0 = 0; r0 < l; r0 += rows) {
                long r1 = Math.min(l, r0 + rows);
                NDArray qb = q.get(new NDIndex("{}:{}, {}:{}", h, h + 1, r0, r1));
                NDArray mb = maskSlice(maskOrNull, bh, l, h, h + 1, r0, r1);
                NDArray o = slice(qb, kh, vh, mb, scale);
                qb.close();
                if (mb != null && mb != maskOrNull) {
                    mb.close();
                }
                blocks.add(o);
            }
            kh.close();
            vh.close();
            parts.add(concatAndFree(blocks, 1));
        }
        return concatAndFree(parts, 0);
    }

    private static NDArray sliceAndFree(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        NDArray o = slice(q, k, v, mask, scale);
        q.close();
        k.close();
        v.close();
        return o;
    }

    private static NDArray slice(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        NDArray kt = k.transpose(0, 2, 1);
        NDArray scores = q.matMul(kt).muli(scale);
        kt.close();
        if (mask != null) {
            scores.addi(mask);
        }
        NDArray probs = scores.softmax(-1);
        scores.close();
        NDArray o = probs.matMul(v);
        probs.close();
        return o;
    }

    private static NDArray maskSlice(NDArray mask, long bh, long l, long h0, long h1, long r0, long r1) {
        if (mask == null) {
            return null;
        }
        long[] ms = mask.getShape().getShape();
        if (ms.length < 3) {
            return mask;
        }
        String hs = ms[ms.length - 3] == bh ? h0 + ":" + h1 : ":";
        String rs = ms[ms.length - 2] == l ? r0 + ":" + r1 : ":";
        return mask.get(hs + ", " + rs);
    }

    private static NDArray concatAndFree(List<NDArray> parts, int axis) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        NDArray out = NDArrays.concat(new NDList(parts), axis);
        parts.forEach(NDArray::close);
        return out;
    }

    private static NDArray toHeads(NDArray t, int heads) {
        long[] s = t.getShape().getShape();
        long d = s[2] / heads;
        return t.reshape(s[0], s[1], heads, d).transpose(0, 2, 1, 3).reshape(s[0] * heads, s[1], d);
    }
}
