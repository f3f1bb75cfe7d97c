package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.nn.GroupNorm;
import io.imaginefleet.engine.nn.NormStats;

import java.util.ArrayList;
import java.util.List;

/**
 * Whole-image group-norm statistics for tiled VAE passes. While recording, every group norm call (identified by
 * its order within one tile's forward pass) adds the mean and variance of the tile's <em>core</em> region (the
 * part of the image this tile alone owns) to a running, Chan-combined per-(sample, group) total. When applying,
 * call {@code i} normalises with the totals of an earlier pass instead of the tile's own statistics, so all tiles
 * see (approximately) the statistics the untiled model would.
 */
final class TileStats {
    /** Running totals for one group-norm call: count, mean and M2 per (sample, group). */
    private static final class Moments {
        double count;
        final double[] mean;
        final double[] m2;

        Moments(int size) {
            mean = new double[size];
            m2 = new double[size];
        }

        void add(float[] tileMean, float[] tileVar, double n) {
            for (int i = 0; i < mean.length; i++) {
                double delta = tileMean[i] - mean[i];
                double total = count + n;
                mean[i] += delta * n / total;
                m2[i] += tileVar[i] * n + delta * delta * count * n / total;
            }
            count += n;
        }
    }

    private final List<Moments> recorded = new ArrayList<>();
    private List<float[][]> applied;

    /** Statistics recorded so far, frozen as (mean, var) per call, for the next pass to apply. */
    List<float[][]> freeze() {
        List<float[][]> out = new ArrayList<>();
        for (Moments m : recorded) {
            float[] mean = new float[m.mean.length];
            float[] var = new float[m.mean.length];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = (float) m.mean[i];
                var[i] = (float) Math.max(0, m.m2[i] / m.count);
            }
            out.add(new float[][] {mean, var});
        }
        return out;
    }

    /** Thrown to abandon a tile once the statistic an exact pass was after has been recorded. */
    static final class StopTile extends RuntimeException {
        StopTile() {
            super(null, null, false, false);
        }
    }

    /** Frozen (mean, var) of call {@code index} only. */
    float[][] freezeAt(int index) {
        List<float[][]> all = freeze();
        if (index >= all.size() || recorded.get(index).count == 0) {
            throw new IllegalStateException("tiled VAE: no statistics recorded for group norm call " + index);
        }
        return all.get(index);
    }

    /**
     * A {@link NormStats} for one tile.
     *
     * @param apply     statistics to normalise calls {@code 0..apply.size()-1} with; later calls (or all, when null)
     *                  use the tile's own statistics
     * @param recordAll whether to add this tile's core statistics of every call to the totals
     * @param stopIndex when ≥ 0: record call {@code stopIndex} only, then abandon the tile ({@link StopTile})
     * @param tileH     tile height in input units; {@code coreY0..coreY1} the core rows in the same units
     */
    NormStats forTile(List<float[][]> apply, boolean recordAll, int stopIndex, long tileH, long tileW,
                      long coreY0, long coreY1, long coreX0, long coreX1) {
        return new NormStats() {
            private int call;

            @Override
            public NDArray apply(GroupNorm norm, NDArray x) {
                int index = call++;
                if (index == stopIndex) {
                    record(norm, x, index);
                    throw new StopTile();
                }
                if (recordAll) {
                    record(norm, x, index);
                }
                if (apply == null || index >= apply.size()) {
                    return norm.forward(x);
                }
                long n = x.getShape().get(0);
                NDManager m = x.getManager();
                NDArray mean = m.create(apply.get(index)[0], new Shape(n, norm.groups()));
                NDArray var = m.create(apply.get(index)[1], new Shape(n, norm.groups()));
                NDArray out = norm.forward(x, mean, var);
                mean.close();
                var.close();
                return out;
            }

            private void record(GroupNorm norm, NDArray x, int index) {
                long h = x.getShape().get(2);
                long w = x.getShape().get(3);
                long y0 = coreY0 * h / tileH;
                long y1 = coreY1 * h / tileH;
                long x0 = coreX0 * w / tileW;
                long x1 = coreX1 * w / tileW;
                if (y1 <= y0 || x1 <= x0) {
                    return;
                }
                NDArray region = x.get(new NDIndex(":, :, {}:{}, {}:{}", y0, y1, x0, x1));
                NDArray[] mv = norm.moments(region);
                region.close();
                float[] mean = mv[0].toFloatArray();
                float[] var = mv[1].toFloatArray();
                mv[0].close();
                mv[1].close();
                synchronized (recorded) {
                    while (recorded.size() <= index) {
                        recorded.add(new Moments(mean.length));
                    }
                    double count = (double) (y1 - y0) * (x1 - x0) * (norm.channels() / norm.groups());
                    recorded.get(index).add(mean, var, count);
                }
            }
        };
    }
}
