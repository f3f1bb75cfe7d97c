package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import io.imaginefleet.engine.config.VaeConfig;
import io.imaginefleet.engine.nn.Conv2d;
import io.imaginefleet.engine.nn.GroupNorm;
import io.imaginefleet.engine.nn.NormStats;
import io.imaginefleet.engine.nn.Ops;
import io.imaginefleet.engine.nn.Params;
import io.imaginefleet.engine.nn.ResnetBlock2D;
import io.imaginefleet.engine.nn.Upsample2D;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers VAE {@code Decoder}: conv_in → mid block → UpDecoderBlock2Ds over the reversed channels
 * (layers_per_block + 1 resnets, then nearest ×2 + conv except on the last block) → GroupNorm → SiLU → conv_out.
 */
final class Decoder {
    static final float EPS = 1e-6f;
    private final Conv2d convIn;
    private final VaeMidBlock mid;
    private final List<List<ResnetBlock2D>> resnets = new ArrayList<>();
    private final List<Upsample2D> upsamplers = new ArrayList<>();
    private final GroupNorm normOut;
    private final Conv2d convOut;

    Decoder(Params p, String prefix, VaeConfig c) {
        List<Integer> ch = c.blockOutChannels();
        int groups = c.normNumGroups();
        int blocks = ch.size();
        long top = ch.get(blocks - 1);
        convIn = Conv2d.load(p, prefix + ".conv_in", c.latentChannels(), top, 3, 1, 1);
        mid = VaeMidBlock.load(p, prefix + ".mid_block", top, groups, EPS);
        long prev = top;
        for (int i = 0; i < blocks; i++) {
            long out = ch.get(blocks - 1 - i);
            List<ResnetBlock2D> list = new ArrayList<>();
            for (int j = 0; j < c.layersPerBlock() + 1; j++) {
                list.add(ResnetBlock2D.load(p, prefix + ".up_blocks." + i + ".resnets." + j, j == 0 ? prev : out, out, groups, EPS));
            }
            resnets.add(list);
            upsamplers.add(i < blocks - 1 ? Upsample2D.load(p, prefix + ".up_blocks." + i + ".upsamplers.0", out) : null);
            prev = out;
        }
        normOut = GroupNorm.load(p, prefix + ".conv_norm_out", ch.get(0), groups, EPS);
        convOut = Conv2d.load(p, prefix + ".conv_out", ch.get(0), c.outChannels(), 3, 1, 1);
    }

    NDArray forward(NDArray z, NormStats stats) {
        NDArray h = head(z, stats);
        NDArray out = tail(h, stats);
        h.close();
        return out;
    }

    /** conv_in and the mid block (with its global attention), at latent resolution. */
    private NDArray head(NDArray z, NormStats stats) {
        NDArray h0 = convIn.forward(z);
        NDArray h = mid.forward(h0, stats);
        h0.close();
        return h;
    }

    /** The up blocks and output layers, applied to {@link #head}'s output. */
    private NDArray tail(NDArray x, NormStats stats) {
        NDArray h = x;
        for (int i = 0; i < resnets.size(); i++) {
            for (ResnetBlock2D r : resnets.get(i)) {
                NDArray n = r.forward(h, null, stats);
                if (h != x) {
                    h.close();
                }
                h = n;
            }
            if (upsamplers.get(i) != null) {
                NDArray n = upsamplers.get(i).forward(h);
                h.close();
                h = n;
            }
        }
        NDArray out = Ops.normSiluConv(h, stats, normOut, convOut);
        if (h != x) {
            h.close();
        }
        return out;
    }

    /**
     * The decoder over a whole-image latent map in {@link Strips} (after post_quant_conv); returns the image map.
     * Matches {@link #forward} to rounding, except that the mid block's attention sees only {@code attentionHalo}
     * rows around each strip when that is less than the whole map.
     */
    FeatureMap forward(FeatureMap z, Strips strips, long attentionHalo) {
        FeatureMap h = strips.map(z, null, Strips.Geometry.CONV3, convIn.outChannels(), Strips.local(convIn::forward));
        try {
            h = Strips.replace(h, mid.forward(h, strips, attentionHalo));
            for (int i = 0; i < resnets.size(); i++) {
                for (ResnetBlock2D r : resnets.get(i)) {
                    h = Strips.replace(h, strips.resnet(h, r));
                }
                Upsample2D up = upsamplers.get(i);
                if (up != null) {
                    h = Strips.replace(h, strips.map(h, null, Strips.Geometry.UPSAMPLE2, h.channels(), Strips.local(up::forward)));
                }
            }
            NormStats stats = h.moments().asNormStats();
            return Strips.replace(h, strips.map(h, null, Strips.Geometry.CONV3, convOut.outChannels(), Strips.local(c -> Ops.normSiluConv(c, stats, normOut, convOut))));
        } catch (RuntimeException | Error e) {
            h.close();
            throw e;
        }
    }
}
