package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import io.imaginefleet.engine.io.Weights;

/**
 * {@code torch.nn.GroupNorm} on NCHW (or any N, C, … layout). DJL has no group norm: the input is viewed as
 * {@code (1, N·G, C/G·H·W)} and normalised by one fused {@code batch_norm} call in training mode (per-"channel"
 * statistics = per-group statistics, biased variance, exactly as group norm), then the per-channel affine is applied.
 *
 * <p>{@link #forward(NDArray, NDArray, NDArray)} normalises with given statistics instead (used by tiled VAE
 * decoding so that every tile uses the statistics of the whole image).
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
        Shape gs = new Shape(ng);
        boolean training = mean == null;
        NDArray view = x.reshape(1, ng, -1);
        NDArray rm = training ? m.zeros(gs, x.getDataType()) : mean.reshape(ng);
        NDArray rv = training ? m.ones(gs, x.getDataType()) : var.reshape(ng);
        NDArray one = m.ones(gs, x.getDataType());
        NDArray zero = m.zeros(gs, x.getDataType());
        NDArray normed = BatchNorm.batchNorm(view, rm, rv, one, zero, 1, 0.1f, eps, training).singletonOrThrow();
        NDArray out = normed.reshape(s); // a view: the affine below runs in place on batch_norm's fresh output
        if (s.dimension() == 4) {
            out.muli(gamma4).addi(beta4);
        } else {
            long[] bshape = new long[s.dimension()];
            java.util.Arrays.fill(bshape, 1);
            bshape[1] = channels();
            NDArray g = gamma.reshape(bshape);
            NDArray b = beta.reshape(bshape);
            out.muli(g).addi(b);
            g.close();
            b.close();
        }
        for (NDArray a : new NDArray[] {view, rm, rv, one, zero, normed}) {
            a.close();
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
