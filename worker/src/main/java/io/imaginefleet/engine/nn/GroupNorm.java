package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import io.imaginefleet.engine.io.Weights;

/**
 * {@code torch.nn.GroupNorm} on NCHW (or any N, C, … layout). DJL has no group norm: the input is viewed as
 * {@code (N, G, C/G·H·W)} and each row normalised by one fused {@code layer_norm} call (biased variance, exactly as
 * group norm), then the per-channel affine is applied in place.
 *
 * <p>{@link #forward(NDArray, NDArray, NDArray)} normalises with given statistics instead (used by tiled VAE
 * decoding in strips, so that every strip uses the statistics of the whole image).
 */
public final class GroupNorm {
    private final int groups;
    private final float eps;
    private final NDArray gamma;
    private final NDArray beta;
    private final NDArray gamma4;
    private final NDArray beta4;

    /** From explicit parameters ({@code gamma}, {@code beta} [C]). */
    public GroupNorm(int groups, NDArray gamma, NDArray beta, float eps) {
        long c = gamma.getShape().get(0);
        if (c % groups != 0) {
            throw new IllegalArgumentException("group norm: " + c + " channels not divisible by " + groups + " groups");
        }
        this.groups = groups;
        this.eps = eps;
        this.gamma = gamma;
        this.beta = beta;
        this.gamma4 = gamma.reshape(1, c, 1, 1);
        this.beta4 = beta.reshape(1, c, 1, 1);
    }

    /** Loads {@code prefix.weight}/{@code prefix.bias}. */
    public static GroupNorm load(Params p, String prefix, int groups, float eps) {
        NDArray g = p.get(prefix + ".weight");
        NDArray b = p.get(prefix + ".bias", g.getShape().getShape());
        return new GroupNorm(groups, g, b, eps);
    }

    /** Loads and checks the channel count. */
    public static GroupNorm load(Params p, String prefix, long channels, int groups, float eps) {
        return new GroupNorm(groups, p.get(prefix + ".weight", channels), p.get(prefix + ".bias", channels), eps);
    }

    /** Loads CPU float32 parameters. */
    public static GroupNorm load(Weights weights, NDManager manager, String prefix, int groups, float eps) {
        return load(new Params(weights, manager), prefix, groups, eps);
    }

    public int groups() {
        return groups;
    }

    public float eps() {
        return eps;
    }

    public long channels() {
        return gamma.getShape().get(0);
    }

    /** Normalises {@code x} [N, C, …] with its own per-(sample, group) statistics; result in {@code x}'s manager. */
    public NDArray forward(NDArray x) {
        return normalize(x, null, null);
    }

    /**
     * Normalises {@code x} with given statistics {@code mean}, {@code var} of shape [N, G] (biased variance).
     */
    public NDArray forward(NDArray x, NDArray mean, NDArray var) {
        return normalize(x, mean, var);
    }

    private NDArray normalize(NDArray x, NDArray mean, NDArray var) {
        Shape s = x.getShape();
        long ng = s.get(0) * groups;
        NDManager m = x.getManager();
        NDArray view;
        NDArray a;
        NDArray b;
        NDArray normed;
        if (mean == null) {
            // layer_norm over each (sample, group) row: one fused, row-parallel kernel (faster than batch_norm here)
            view = x.reshape(s.get(0), groups, -1);
            Shape row = new Shape(view.getShape().get(2));
            a = m.ones(row, x.getDataType());
            b = m.zeros(row, x.getDataType());
            normed = ai.djl.nn.norm.LayerNorm.layerNorm(view, row, a, b, eps).singletonOrThrow();
        } else {
            // given statistics: batch_norm in inference mode with them as the running mean/var of N·G "channels"
            view = x.reshape(1, ng, -1);
            Shape gs = new Shape(ng);
            a = m.ones(gs, x.getDataType());
            b = m.zeros(gs, x.getDataType());
            NDArray rm = mean.reshape(ng);
            NDArray rv = var.reshape(ng);
            normed = BatchNorm.batchNorm(view, rm, rv, a, b, 1, 0.1f, eps, false).singletonOrThrow();
            rm.close();
            rv.close();
        }
        NDArray out = normed.reshape(s); // a view: the affine below runs in place on the norm's fresh output
        if (s.dimension() == 4) {
            out.muli(gamma4).addi(beta4);
        } else {
            long[] bshape = new long[s.dimension()];
            java.util.Arrays.fill(bshape, 1);
            bshape[1] = channels();
            NDArray gr = gamma.reshape(bshape);
            NDArray br = beta.reshape(bshape);
            out.muli(gr).addi(br);
            gr.close();
            br.close();
        }
        for (NDArray t : new NDArray[] {view, a, b, normed}) {
            t.close();
        }
        return out;
    }

    /**
     * Per-(sample, group) mean and biased variance of {@code x}, float32 [N, G] each, in {@code x}'s manager.
     */
    public NDArray[] moments(NDArray x) {
        long n = x.getShape().get(0);
        NDArray view = x.reshape(n, groups, -1);
        NDArray mean = view.mean(new int[] {2}, true);
        NDArray centered = view.sub(mean);
        NDArray var = centered.muli(centered).mean(new int[] {2});
        centered.close();
        NDArray mean2 = mean.reshape(n, groups);
        mean.close();
        view.close();
        return new NDArray[] {mean2, var};
    }
}
