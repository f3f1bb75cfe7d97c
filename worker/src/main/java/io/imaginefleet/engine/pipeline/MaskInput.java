package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.awt.Color;
import java.awt.image.BufferedImage;

/**
 * Inpainting masks as diffusers prepares them: white = repaint. A mask picture is converted to grey (PIL's
 * {@code convert("L")} luma), resized to the image size when it differs (never rejected for that), scaled to [0,1]
 * and binarised at 0.5 (values {@code >= 0.5} become 1). Transparent mask pixels count as black (keep).
 * Latent-size masks are taken with nearest-neighbour sampling the way each pipeline does it.
 */
public final class MaskInput {

    private MaskInput() {
    }

    /** The binarised mask {@code [H*W]} in {0,1} at {@code width × height}; an all-black mask is refused. */
    public static float[] prepare(BufferedImage mask, int width, int height) {
        BufferedImage rgb = ImageInput.resize(ImageInput.flatten(mask, Color.BLACK), width, height);
        int[] px = rgb.getRGB(0, 0, width, height, null, 0, width);
        float[] out = new float[px.length];
        boolean any = false;
        for (int i = 0; i < px.length; i++) {
            int p = px[i];
            int l = (((p >> 16) & 0xFF) * 19595 + ((p >> 8) & 0xFF) * 38470 + (p & 0xFF) * 7471 + 0x8000) >> 16;
            out[i] = l / 255f >= 0.5f ? 1f : 0f;
            any |= out[i] > 0f;
        }
        if (!any) {
            throw new ImageInputException("the mask is all black: nothing to repaint (paint the area to change in white)");
        }
        return out;
    }

    /** {@code [1,1,H,W]} tensor of a prepared mask. */
    public static NDArray toTensor(NDManager manager, float[] mask, int width, int height) {
        return manager.create(mask, new Shape(1, 1, height, width));
    }

    /**
     * Nearest-neighbour resize of {@code [B,C,H,W]} to {@code outH × outW}. {@code pilStyle} false: PyTorch's
     * {@code F.interpolate(mode="nearest")} (source index {@code floor(i*in/out)}, used by the inpaint pipeline);
     * true: PIL's {@code resize(NEAREST)} (source {@code floor((i+0.5)*in/out)}, used by the legacy pipeline).
     */
    public static NDArray resizeNearest(NDArray mask, int outH, int outW, boolean pilStyle) {
        Shape s = mask.getShape();
        int b = (int) s.get(0);
        int c = (int) s.get(1);
        int inH = (int) s.get(2);
        int inW = (int) s.get(3);
        float[] in = mask.toFloatArray();
        float[] out = new float[b * c * outH * outW];
        int[] ys = new int[outH];
        int[] xs = new int[outW];
        for (int y = 0; y < outH; y++) {
            ys[y] = sourceIndex(y, inH, outH, pilStyle);
        }
        for (int x = 0; x < outW; x++) {
            xs[x] = sourceIndex(x, inW, outW, pilStyle);
        }
        for (int p = 0; p < b * c; p++) {
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    out[(p * outH + y) * outW + x] = in[(p * inH + ys[y]) * inW + xs[x]];
                }
            }
        }
        return mask.getManager().create(out, new Shape(b, c, outH, outW));
    }

    private static int sourceIndex(int i, int in, int out, boolean pilStyle) {
        double scale = (double) in / out;
        int src = pilStyle ? (int) Math.floor((i + 0.5) * scale) : (int) Math.floor(i * (float) scale);
        return Math.min(src, in - 1);
    }
}
