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

    /** {@code statsPasses} value for exact whole-image group-norm statistics (one short pass per group norm). */
    static final int EXACT_STATS = -1;

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
        return run(input, tile, overlap, unit, num, den, statsPasses, fn, null);
    }

    /** As above, starting from given statistics (tests: the untiled model's own) instead of a recording pass. */
    static NDArray run(NDArray input, long tile, long overlap, long unit, long num, long den, int statsPasses, TileFunction fn,
                       List<float[][]> seedStats) {
        Shape s = input.getShape();
        long b = s.get(0);
        Axis ay = axis(s.get(2), Math.min(tile, s.get(2)), overlap, unit);
        Axis ax = axis(s.get(3), Math.min(tile, s.get(3)), overlap, unit);
        long outH = s.get(2) * num / den;
        long outW = s.get(3) * num / den;
        List<float[][]> frozen = seedStats;
        float[] acc = null;
        float[] wsum = new float[(int) (outH * outW)];
        long outC = -1;
        boolean exact = statsPasses == EXACT_STATS;
        int passes = exact ? Integer.MAX_VALUE : statsPasses;
        if (exact && frozen == null) {
            frozen = new ArrayList<>();
        }
        for (int pass = seedStats == null || exact ? 0 : statsPasses; pass <= passes; pass++) {
            boolean last = !exact && pass == statsPasses;
            TileStats stats = new TileStats();
            boolean stopped = false;
            for (int i = 0; i < ay.count(); i++) {
                for (int j = 0; j < ax.count(); j++) {
                    long y0 = ay.starts()[i];
                    long x0 = ax.starts()[j];
                    try (NDManager tm = input.getManager().newSubManager()) {
                        NDArray t = input.get(new NDIndex(":, :, {}:{}, {}:{}", y0, y0 + ay.tile(), x0, x0 + ax.tile()));
                        t.attach(tm);
                        long cy0 = ay.coreStart()[i] - y0;
                        long cy1 = ay.coreEnd()[i] - y0;
                        long cx0 = ax.coreStart()[j] - x0;
                        long cx1 = ax.coreEnd()[j] - x0;
                        NormStats ns;
                        if (exact) {
                            ns = stats.forTile(frozen, false, frozen.size(), ay.tile(), ax.tile(), cy0, cy1, cx0, cx1);
                        } else if (statsPasses == 0) {
                            ns = NormStats.LOCAL;
                        } else {
                            ns = stats.forTile(frozen, !last, -1, ay.tile(), ax.tile(), cy0, cy1, cx0, cx1);
                        }
                        NDArray out;
                        try {
                            out = fn.apply(t, ns);
                        } catch (TileStats.StopTile stop) {
                            stopped = true;
                            continue;
                        }
                        if (last || exact) {
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
            if (exact) {
                if (!stopped) {
                    break;
                }
                frozen.add(stats.freezeAt(frozen.size()));
            } else {
                frozen = stats.freeze();
            }
        }
        long plane = outH * outW;
        for (int bc = 0; bc < b * outC; bc++) {
            for (int p = 0; p < plane; p++) {
                acc[(int) (bc * plane + p)] /= wsum[p];
            }
        }
        return input.getManager().create(acc, new Shape(b, outC, outH, outW));
    }

    /**
     * Blend weights (output units) of tile {@code k}: across each overlap with a neighbour the weight is 0 over the
     * quarter nearest this tile's edge (where zero padding distorts the result), rises linearly over the middle
     * half and is 1 beyond; 1 elsewhere. Neighbours' weights mirror each other, so every pixel has weight.
     */
    static float[] weights(Axis a, int k, long num, long den, long overlap) {
        int len = (int) (a.tile() * num / den);
        float[] w = new float[len];
        java.util.Arrays.fill(w, 1f);
        if (k > 0) {
            ramp(w, (a.starts()[k - 1] + a.tile() - a.starts()[k]) * num / den, false);
        }
        if (k < a.count() - 1) {
            ramp(w, (a.starts()[k] + a.tile() - a.starts()[k + 1]) * num / den, true);
        }
        return w;
    }

    private static void ramp(float[] w, long overlap, boolean fromEnd) {
        double margin = overlap / 4.0;
        double rise = Math.max(1e-9, overlap / 2.0);
        for (int t = 0; t < overlap && t < w.length; t++) {
            double v = Math.min(1, Math.max(0, (t + 0.5 - margin) / rise));
            int idx = fromEnd ? w.length - 1 - t : t;
            w[idx] = (float) Math.min(w[idx], v);
        }
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
