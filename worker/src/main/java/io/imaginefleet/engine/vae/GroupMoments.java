package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.nn.GroupNorm;
import io.imaginefleet.engine.nn.NormStats;

/**
 * Per-(sample, group) mean and biased variance of a feature map assembled from strips: each strip's float32
 * moments are merged in double precision with Chan et al.'s parallel update, so the result equals the whole map's
 * statistics (up to rounding) without the whole map ever being in memory.
 */
final class GroupMoments {
    private final long batch;
    private final int groups;
    private double count;
    private final double[] mean;
    private final double[] m2;

    GroupMoments(long batch, int groups) {
        this.batch = batch;
        this.groups = groups;
        this.mean = new double[Math.toIntExact(batch * groups)];
        this.m2 = new double[mean.length];
    }

    int groups() {
        return groups;
    }

    /** Adds the rows of a strip [B, C, r, W] (every row of the map must be added exactly once). */
    void add(NDArray strip) {
        NDArray view = strip.reshape(batch, groups, -1);
        long n = view.getShape().get(2);
        NDArray mu = view.mean(new int[] {2}, true);
        NDArray centered = view.sub(mu);
        NDArray var = centered.muli(centered).mean(new int[] {2});
        float[] tileMean = mu.toFloatArray();
        float[] tileVar = var.toFloatArray();
        for (NDArray t : new NDArray[] {view, mu, centered, var}) {
            t.close();
        }
        double total = count + n;
        for (int i = 0; i < mean.length; i++) {
            double delta = tileMean[i] - mean[i];
            mean[i] += delta * n / total;
            m2[i] += tileVar[i] * n + delta * delta * count * n / total;
        }
        count = total;
    }

    /** A {@link NormStats} normalising with these statistics (whatever part of the map it is applied to). */
    NormStats asNormStats() {
        if (count == 0) {
            throw new IllegalStateException("no statistics recorded");
        }
        float[] mu = new float[mean.length];
        float[] var = new float[mean.length];
        for (int i = 0; i < mu.length; i++) {
            mu[i] = (float) mean[i];
            var[i] = (float) (m2[i] / count);
        }
        Shape shape = new Shape(batch, groups);
        return (GroupNorm norm, NDArray x) -> {
            if (norm.groups() != groups) {
                throw new IllegalStateException("statistics of " + groups + " groups applied to a norm of " + norm.groups());
            }
            NDManager m = x.getManager();
            NDArray meanArr = m.create(mu, shape);
            NDArray varArr = m.create(var, shape);
            NDArray out = norm.forward(x, meanArr, varArr);
            meanArr.close();
            varArr.close();
            return out;
        };
    }
}
