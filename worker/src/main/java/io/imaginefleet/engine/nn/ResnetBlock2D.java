package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * diffusers {@code ResnetBlock2D} ("default" time-embedding norm, output scale 1): norm1 → SiLU → conv1
 * (+ time_emb_proj(SiLU(temb))) → norm2 → SiLU → conv2, plus the input (through a 1×1 {@code conv_shortcut}
 * when the channel count changes).
 */
public final class ResnetBlock2D {
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut;

    private ResnetBlock2D(GroupNorm norm1, Conv2d conv1, Linear timeEmbProj, GroupNorm norm2, Conv2d conv2, Conv2d shortcut) {
        this.norm1 = norm1;
        this.conv1 = conv1;
        this.timeEmbProj = timeEmbProj;
        this.norm2 = norm2;
        this.conv2 = conv2;
        this.shortcut = shortcut;
    }

    /**
     * Loads the block under {@code prefix} ({@code time_emb_proj} is loaded when present).
     *
     * @param groups group count of both norms
     * @param eps    norm epsilon (1e-6 in VAEs, 1e-5 in SD UNets)
     */
    public static ResnetBlock2D load(Params p, String prefix, long in, long out, int groups, float eps) {
        GroupNorm n1 = GroupNorm.load(p, prefix + ".norm1", in, groups, eps);
        Conv2d c1 = Conv2d.load(p, prefix + ".conv1", in, out, 3, 1, 1);
        Linear t = p.has(prefix + ".time_emb_proj.weight") ? Linear.load(p, prefix + ".time_emb_proj") : null;
        GroupNorm n2 = GroupNorm.load(p, prefix + ".norm2", out, groups, eps);
        Conv2d c2 = Conv2d.load(p, prefix + ".conv2", out, out, 3, 1, 1);
        Conv2d sc = p.has(prefix + ".conv_shortcut.weight") ? Conv2d.load(p, prefix + ".conv_shortcut", in, out, 1, 1, 0) : null;
        if (sc == null && in != out) {
            throw new io.imaginefleet.engine.io.ModelFormatException("tensor '" + prefix + ".conv_shortcut.weight' not found in "
                    + p.weights().source() + " (needed for " + in + " → " + out + " channels)");
        }
        return new ResnetBlock2D(n1, c1, t, n2, c2, sc);
    }

    public GroupNorm norm1() {
        return norm1;
    }

    public GroupNorm norm2() {
        return norm2;
    }

    /** Output channel count. */
    public long outChannels() {
        return conv2.outChannels();
    }

    /** Applies the block without a time embedding. */
    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    /** Applies the block; {@code tembOrNull} is [B, temb_channels]. */
    public NDArray forward(NDArray x, NDArray tembOrNull) {
        return forward(x, tembOrNull, null);
    }

    /**
     * Applies the block; {@code stats} (or {@code null} for each input's own statistics) normalises both group norms,
     * as whole-image statistics do when a VAE runs in strips.
     */
    public NDArray forward(NDArray x, NDArray tembOrNull, NormStats stats) {
        NDArray h = branchIn(x, stats);
        if (timeEmbProj != null && tembOrNull != null) {
            NDArray t = Ops.silu(tembOrNull);
            NDArray tp = timeEmbProj.forward(t);
            t.close();
            NDArray tp4 = tp.expandDims(2).expandDims(3);
            h.addi(tp4);
            tp.close();
            tp4.close();
        }
        NDArray out = branchOut(h, x, stats);
        h.close();
        return out;
    }

    /** First half of the residual branch, norm1 → SiLU → conv1 (before the time embedding). */
    public NDArray branchIn(NDArray x, NormStats stats) {
        NDArray h = stats == null ? norm1.forward(x) : stats.apply(norm1, x);
        NDArray a = Ops.silu(h);
        h.close();
        NDArray out = conv1.forward(a);
        a.close();
        return out;
    }

    /**
     * Second half, norm2 → SiLU → conv2, plus the shortcut of {@code x}; {@code h} may cover more rows than
     * {@code x} (a strip with its halo): the conv output's rows {@code [rowOffset, rowOffset + x rows)} are kept.
     */
    public NDArray branchOut(NDArray h, NDArray x, NormStats stats, long rowOffset) {
        NDArray n = stats == null ? norm2.forward(h) : stats.apply(norm2, h);
        NDArray a = Ops.silu(n);
        n.close();
        NDArray c = conv2.forward(a);
        a.close();
        long rows = x.getShape().get(2);
        NDArray r = c;
        if (rowOffset != 0 || c.getShape().get(2) != rows) {
            r = c.get(new ai.djl.ndarray.index.NDIndex(":, :, {}:{}", rowOffset, rowOffset + rows));
            c.close();
        }
        if (shortcut != null) {
            NDArray s = shortcut.forward(x);
            NDArray out = s.addi(r);
            r.close();
            return out;
        }
        return r.addi(x);
    }

    private NDArray branchOut(NDArray h, NDArray x, NormStats stats) {
        return branchOut(h, x, stats, 0);
    }
}
