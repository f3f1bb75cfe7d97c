package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.imaginefleet.engine.nn.NormStats;
import io.imaginefleet.engine.nn.ResnetBlock2D;

import java.util.function.UnaryOperator;

/**
 * Runs VAE layers over whole-image {@link FeatureMap}s one row strip at a time: each output strip is computed from
 * the input rows it depends on (the strip plus the layer's halo: one row for a 3×3 conv), and group norms use the
 * whole map's statistics, recorded while the previous layer wrote it. A convolutional layer therefore gives exactly
 * what it gives on the whole image, so a VAE run in strips matches the untiled model to rounding, with no blending
 * and no seams; only memory for one strip (sized by the budget) is needed at a time. The one non-local layer,
 * the mid block's attention, sees the whole map when it is small enough ({@link Geometry#window}).
 */
final class Strips {
    /** One layer applied to a strip. */
    @FunctionalInterface
    interface Layer {
        /**
         * @param crop the input rows the strip depends on, [B, C, rows, W]
         * @param from first output row wanted, counted in the output the layer would give for {@code crop}
         * @param to   end (exclusive) of the wanted output rows
         * @param aux  the same output rows of a second input map (a residual), or {@code null}
         * @return exactly the output rows {@code [from, to)}, in {@code crop}'s manager
         */
        NDArray apply(NDArray crop, long from, long to, NDArray aux);
    }

    /**
     * How output rows depend on input rows: output size = input size × num / den; output rows [o0, o1) need input
     * rows [o0·den/num − haloBefore, ⌈o1·den/num⌉ + haloAfter) (clipped to the map).
     */
    record Geometry(long num, long den, long haloBefore, long haloAfter) {
        /** A 3×3 conv with padding 1 (and anything pointwise before it). */
        static final Geometry CONV3 = new Geometry(1, 1, 1, 1);
        /** Nearest ×2 upsampling, then a 3×3 conv. */
        static final Geometry UPSAMPLE2 = new Geometry(2, 1, 1, 1);
        /** (0, 1, 0, 1) padding, then a stride-2 3×3 conv. */
        static final Geometry DOWNSAMPLE2 = new Geometry(1, 2, 0, 1);

        /** Self-attention whose queries in a strip see the strip and {@code halo} rows on each side. */
        static Geometry window(long halo) {
            return new Geometry(1, 1, halo, halo);
        }
    }

    private final NDManager parent;
    private final long budgetBytes;
    private final int groups;

    /**
     * @param parent      manager under which each strip's scope is opened
     * @param budgetBytes memory allowed for one strip's activations
     * @param groups      group count of the model's norms (statistics recorded for every map written)
     */
    Strips(NDManager parent, long budgetBytes, int groups) {
        this.parent = parent;
        this.budgetBytes = budgetBytes;
        this.groups = groups;
    }

    /** A layer computing the whole crop with {@code f} and keeping the wanted rows. */
    static Layer local(UnaryOperator<NDArray> f) {
        return (crop, from, to, aux) -> {
            NDArray out = f.apply(crop);
            if (from == 0 && to == out.getShape().get(2)) {
                return out;
            }
            NDArray rows = out.get(new NDIndex(":, :, {}:{}", from, to));
            out.close();
            return rows;
        };
    }

    /** Applies {@code layer} to {@code in} strip by strip; {@code aux} (or null) is read at the output rows. */
    FeatureMap map(FeatureMap in, FeatureMap aux, Geometry g, long outChannels, Layer layer) {
        long outH = in.height() * g.num() / g.den();
        long outW = in.width() * g.num() / g.den();
        long rows = stripRows(in, g, outChannels, outW);
        FeatureMap out = new FeatureMap(in.batch(), outChannels, outH, outW, groups);
        try {
            for (long o0 = 0; o0 < outH; o0 += rows) {
                long o1 = Math.min(outH, o0 + rows);
                long a = Math.max(0, o0 * g.den() / g.num() - g.haloBefore());
                long b = Math.min(in.height(), (o1 * g.den() + g.num() - 1) / g.num() + g.haloAfter());
                long from = o0 - a * g.num() / g.den();
                try (NDManager strip = parent.newSubManager()) {
                    NDArray crop = in.read(strip, a, b);
                    NDArray auxRows = aux == null ? null : aux.read(strip, o0, o1);
                    out.write(o0, layer.apply(crop, from, from + (o1 - o0), auxRows));
                }
            }
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** A resnet block over a map: two strip passes, each norm with the statistics of the whole map it reads. */
    FeatureMap resnet(FeatureMap x, ResnetBlock2D block) {
        NormStats first = x.moments().asNormStats();
        try (FeatureMap h = map(x, null, Geometry.CONV3, block.outChannels(), local(c -> block.branchIn(c, first)))) {
            NormStats second = h.moments().asNormStats();
            return map(h, x, Geometry.CONV3, block.outChannels(),
                    (crop, from, to, residual) -> block.branchOut(crop, residual, second, from));
        }
    }

    /**
     * Output rows per strip: the budget over ~6 live copies of the widest of input and output per row, at most what
     * one read buffer holds, and for a wide-context layer (attention) at most twice its halo, so that each query's
     * context stays near the window instead of growing with the strip.
     */
    private long stripRows(FeatureMap in, Geometry g, long outChannels, long outW) {
        long rowBytes = Float.BYTES * in.batch() * Math.max(outW, in.width()) * Math.max(outChannels, in.channels());
        long rows = Math.max(1, budgetBytes / Math.max(1, 6 * rowBytes) - 2);
        rows = Math.min(rows, Integer.MAX_VALUE / 2 / rowBytes);
        if (g.haloBefore() > 1) {
            rows = Math.min(rows, 2 * g.haloBefore());
        }
        return Math.max(g.num(), rows / g.num() * g.num());
    }

    /** Closes {@code old} and returns {@code next}: {@code x = replace(x, strips.map(x, …))} (on failure x stays open). */
    static FeatureMap replace(FeatureMap old, FeatureMap next) {
        old.close();
        return next;
    }
}
