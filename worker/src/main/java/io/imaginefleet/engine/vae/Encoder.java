package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import io.imaginefleet.engine.config.VaeConfig;
import io.imaginefleet.engine.nn.Conv2d;
import io.imaginefleet.engine.nn.Downsample2D;
import io.imaginefleet.engine.nn.GroupNorm;
import io.imaginefleet.engine.nn.NormStats;
import io.imaginefleet.engine.nn.Ops;
import io.imaginefleet.engine.nn.Params;
import io.imaginefleet.engine.nn.ResnetBlock2D;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers VAE {@code Encoder}: conv_in → DownEncoderBlock2Ds (resnets, then a stride-2 downsampler with
 * (0,1,0,1) padding except on the last block) → mid block → GroupNorm → SiLU → conv_out to 2·latent channels.
 */
final class Encoder {
    static final float EPS = 1e-6f;
    private final Conv2d convIn;
    private final List<List<ResnetBlock2D>> resnets = new ArrayList<>();
    private final List<Downsample2D> downsamplers = new ArrayList<>();
    private final VaeMidBlock mid;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    Encoder(Params p, String prefix, VaeConfig c) {
        List<Integer> ch = c.blockOutChannels();
        int groups = c.normNumGroups();
        convIn = Conv2d.load(p, prefix + ".conv_in", c.inChannels(), ch.get(0), 3, 1, 1);
        long in = ch.get(0);
        for (int i = 0; i < ch.size(); i++) {
            long out = ch.get(i);
            List<ResnetBlock2D> blocks = new ArrayList<>();
            for (int j = 0; j < c.layersPerBlock(); j++) {
                blocks.add(ResnetBlock2D.load(p, prefix + ".down_blocks." + i + ".resnets." + j, j == 0 ? in : out, out, groups, EPS));
            }
            resnets.add(blocks);
            downsamplers.add(i < ch.size() - 1 ? Downsample2D.load(p, prefix + ".down_blocks." + i + ".downsamplers.0", out, 0) : null);
            in = out;
        }
        long top = ch.get(ch.size() - 1);
        mid = VaeMidBlock.load(p, prefix + ".mid_block", top, groups, EPS);
        normOut = GroupNorm.load(p, prefix + ".conv_norm_out", top, groups, EPS);
        convOut = Conv2d.load(p, prefix + ".conv_out", top, 2L * c.latentChannels(), 3, 1, 1);
    }

    /** Moments [B, 2·latent, H/f, W/f] before quant_conv. */
    NDArray forward(NDArray x, NormStats stats) {
        NDArray h = body(x, stats);
        NDArray out = head(h, stats);
        h.close();
        return out;
    }

    /** conv_in and the down blocks: features [B, top, H/f, W/f] before the mid block. */
    private NDArray body(NDArray x, NormStats stats) {
        NDArray h = convIn.forward(x);
        for (int i = 0; i < resnets.size(); i++) {
            for (ResnetBlock2D r : resnets.get(i)) {
                NDArray n = r.forward(h, null, stats);
                h.close();
                h = n;
            }
            if (downsamplers.get(i) != null) {
                NDArray n = downsamplers.get(i).forward(h);
                h.close();
                h = n;
            }
        }
        return h;
    }

    /** The mid block (global attention) and output layers, at latent resolution. */
    private NDArray head(NDArray h, NormStats stats) {
        NDArray m = mid.forward(h, stats);
        NDArray out = Ops.normSiluConv(m, stats, normOut, convOut);
        m.close();
        return out;
    }

    /**
     * The encoder over a whole-image map in {@link Strips}; returns the moments map before quant_conv. Matches
     * {@link #forward} to rounding, except that the mid block's attention sees only {@code attentionHalo} rows
     * around each strip when that is less than the whole map.
     */
    FeatureMap forward(FeatureMap x, Strips strips, long attentionHalo) {
        FeatureMap h = strips.map(x, null, Strips.Geometry.CONV3, convIn.outChannels(), Strips.local(convIn::forward));
        try {
            for (int i = 0; i < resnets.size(); i++) {
                for (ResnetBlock2D r : resnets.get(i)) {
                    h = Strips.replace(h, strips.resnet(h, r));
                }
                Downsample2D down = downsamplers.get(i);
                if (down != null) {
                    h = Strips.replace(h, strips.map(h, null, Strips.Geometry.DOWNSAMPLE2, h.channels(), Strips.local(down::forward)));
                }
            }
            h = Strips.replace(h, mid.forward(h, strips, attentionHalo));
            NormStats stats = h.moments().asNormStats();
            return Strips.replace(h, strips.map(h, null, Strips.Geometry.CONV3, convOut.outChannels(), Strips.local(c -> Ops.normSiluConv(c, stats, normOut, convOut))));
        } catch (RuntimeException | Error e) {
            h.close();
            throw e;
        }
    }
}
