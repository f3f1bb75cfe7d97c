package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.nn.NormStats;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a spatial model over overlapping tiles of an NCHW input and blends the tile outputs linearly in the
 * overlaps. Optionally runs extra passes that record whole-image group-norm statistics ({@link TileStats})
 * so that the final pass normalises every tile like the untiled model would.
 */
final class Tiler {
    /** The model applied to one tile; its result must live in the tile's manager. */
    @FunctionalInterface
    interface TileFunction {
        NDArray apply(NDArray tile, NormStats stats);
    }

    /** Tile placement along one axis, in input units. */
    record Axis(long size, long tile, long[] starts, long[] coreStart, long[] coreEnd) {
        int count() {
            return starts.length;
        }
    }

    private Tiler() {
    }

    /** Tiles of {@code tile} with at least {@code overlap} overlap; starts and core bounds are multiples of {@code unit}. */
    static Axis axis(long size, long tile, long overlap, long unit) {
        if (tile >= size) {
            return new Axis(size, size, new long[] {0}, new long[] {0}, new long[] {size});
        }
        long stride = Math.max(unit, (tile - overlap) / unit * unit);
        List<Long> starts = new ArrayList<>();
        for (long s = 0; s + tile < size; s += stride) {
            starts.add(s);
        }
        long last = (size - tile) / unit * unit;
        if (starts.get(starts.size() - 1) != last) {
            starts.add(last);
        }
        int n = starts.size();
        long[] st = starts.stream().mapToLong(Long::longValue).toArray();
        long[] cs = new long[n];
        long[] ce = new long[n];
        for (int k = 0; k < n; k++) {
            cs[k] = k == 0 ? 0 : ce[k - 1];
            ce[k] = k == n - 1 ? size : (st[k + 1] + st[k] + tile) / 2 / unit * unit;
        }
        return new Axis(size, tile, st, cs, ce);
    }

    /**
     * Applies {@code fn} tile by tile.
     *
     * @param input      [B, C, H, W]
     * @param tile       tile size in input units
     * @param overlap    overlap between neighbouring tiles in input units
     * @param unit       alignment of tile starts (the VAE factor for pixel inputs, so every layer's grid aligns)
     * @param num        output size = input size × num / den
     * @param statsPasses extra passes recording whole-image group-norm statistics (0 = each tile normalises itself)
     * @return the blended output, attached to {@code input}'s manager
     */
    static NDArray run(NDArray input, long tile, long overlap, long unit, long num, long den, int statsPasses, TileFunction fn) {
        Shape s = input.getShape();
        long b = s.get(0);
        Axis ay = axis(s.get(2), Math.min(tile, s.get(2)), overlap, unit);
        Axis ax = axis(s.get(3), Math.min(tile, s.get(3)), overlap, unit);
        long outH = s.get(2) * num / den;
        long outW = s.get(3) * num / den;
        List<float[][]> frozen = null;
        float[] acc = null;
        float[] wsum = new float[(int) (outH * outW)];
        long outC = -1;
        for (int pass = 0; pass <= statsPasses; pass++) {
            boolean last = pass == statsPasses;
            TileStats stats = new TileStats();
            for (int i = 0; i < ay.count(); i++) {
                for (int j = 0; j < ax.count(); j++) {
                    long y0 = ay.starts()[i];
                    long x0 = ax.starts()[j];
                    try (NDManager tm = input.getManager().newSubManager()) {
                        NDArray t = input.get(new NDIndex(":, :, {}:{}, {}:{}", y0, y0 + ay.tile(), x0, x0 + ax.tile()));
                        t.attach(tm);
                        NormStats ns = statsPasses == 0 ? NormStats.LOCAL : stats.forTile(frozen, !last, ay.tile(), ax.tile(),
                                ay.coreStart()[i] - y0, ay.coreEnd()[i] - y0, ax.coreStart()[j] - x0, ax.coreEnd()[j] - x0);
                        NDArray out = fn.apply(t, ns);
                        if (last) {
                            if (acc == null) {
                                outC = out.getShape().get(1);
                                acc = new float[(int) (b * outC * outH * outW)];
                            }
                            accumulate(acc, wsum, out.toFloatArray(), b, outC, outH, outW,
                                    weights(ay, i, num, den, overlap), weights(ax, j, num, den, overlap),
                                    y0 * num / den, x0 * num / den);
                        }
                    }
                }
            }
            frozen = stats.freeze();
        }
        long plane = outH * outW;
        for (int bc = 0; bc < b * outC; bc++) {
            for (int p = 0; p < plane; p++) {
                acc[(int) (bc * plane + p)] /= wsum[p];
            }
        }
        return input.getManager().create(acc, new Shape(b, outC, outH, outW));
    }

    /** Linear ramps (output units) at the edges that overlap a neighbour; 1 elsewhere. */
    static float[] weights(Axis a, int k, long num, long den, long overlap) {
        int len = (int) (a.tile() * num / den);
        float[] w = new float[len];
        java.util.Arrays.fill(w, 1f);
        long rampMax = Math.max(1, overlap * num / den);
        if (k > 0) {
            long ov = (a.starts()[k - 1] + a.tile() - a.starts()[k]) * num / den;
            long r = Math.min(rampMax, ov);
            for (int t = 0; t < r; t++) {
                w[t] = Math.min(w[t], (t + 0.5f) / r);
            }
        }
        if (k < a.count() - 1) {
            long ov = (a.starts()[k] + a.tile() - a.starts()[k + 1]) * num / den;
            long r = Math.min(rampMax, ov);
            for (int t = 0; t < r; t++) {
                w[len - 1 - t] = Math.min(w[len - 1 - t], (t + 0.5f) / r);
            }
        }
        return w;
    }

    private static void accumulate(float[] acc, float[] wsum, float[] tile, long b, long c, long outH, long outW,
                                   float[] wy, float[] wx, long oy, long ox) {
        int th = wy.length;
        int tw = wx.length;
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                wsum[(int) ((oy + y) * outW + ox + x)] += wy[y] * wx[x];
            }
        }
        for (int bc = 0; bc < b * c; bc++) {
            for (int y = 0; y < th; y++) {
                int src = (bc * th + y) * tw;
                int dst = (int) ((bc * outH + oy + y) * outW + ox);
                float wyv = wy[y];
                for (int x = 0; x < tw; x++) {
                    acc[dst + x] += tile[src + x] * wyv * wx[x];
                }
            }
        }
    }
}
