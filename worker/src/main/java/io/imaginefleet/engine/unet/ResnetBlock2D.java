package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;

/**
 * diffusers {@code ResnetBlock2D} (time_embedding_norm "default"): GroupNorm → SiLU → conv3x3, plus the projected
 * time embedding, GroupNorm → SiLU → (dropout: no-op) → conv3x3, a 1x1 {@code conv_shortcut} when the channel
 * count changes, and {@code (input + h) / output_scale_factor}.
 */
final class ResnetBlock2D {
    private final GroupNormAct norm1;
    private final Layers.Conv conv1;
    private final Layers.Linear timeEmbProj;
    private final GroupNormAct norm2;
    private final Layers.Conv conv2;
    private final Layers.Conv convShortcut;
    private final float outputScaleFactor;
    final int inChannels;
    final int outChannels;

    ResnetBlock2D(Layers l, String p, int inChannels, int outChannels, int tembChannels, int groups, double eps,
                  double outputScaleFactor) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        norm1 = new GroupNormAct(l, p + ".norm1", inChannels, groups, eps, true);
        conv1 = l.conv(p + ".conv1", inChannels, outChannels, 3, 1, 1);
        timeEmbProj = l.linear(p + ".time_emb_proj", tembChannels, outChannels, true);
        norm2 = new GroupNormAct(l, p + ".norm2", outChannels, groups, eps, true);
        conv2 = l.conv(p + ".conv2", outChannels, outChannels, 3, 1, 1);
        convShortcut = inChannels != outChannels ? l.conv(p + ".conv_shortcut", inChannels, outChannels, 1, 1, 0) : null;
        this.outputScaleFactor = (float) outputScaleFactor;
    }

    /**
     * @param x    [B, in, H, W]
     * @param tembAct SiLU(time embedding) [B, temb], shared by all resnets of a forward
     */
    NDArray forward(NDArray x, NDArray tembAct) {
        return Ops.scoped(() -> {
            NDArray h = conv1.forward(norm1.forward(x));
            NDArray t = timeEmbProj.forward(tembAct);
            h = h.addi(t.reshape(t.getShape().get(0), outChannels, 1, 1));
            h = conv2.forward(norm2.forward(h));
            NDArray out = convShortcut != null ? h.addi(convShortcut.forward(x)) : h.addi(x);
            return outputScaleFactor == 1f ? out : out.divi(outputScaleFactor);
        }, x, tembAct);
    }
}
