package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * diffusers {@code Timesteps} (sinusoidal projection, {@code get_timestep_embedding}) followed by
 * {@code TimestepEmbedding} ({@code linear_1} → SiLU → {@code linear_2}).
 */
final class TimestepEmbedding {
    private final Layers.Linear linear1;
    private final Layers.Linear linear2;
    private final int channels;
    private final boolean flipSinToCos;
    private final float freqShift;

    TimestepEmbedding(Layers l, String p, int channels, int embedDim, boolean flipSinToCos, double freqShift) {
        linear1 = l.linear(p + ".linear_1", channels, embedDim, true);
        linear2 = l.linear(p + ".linear_2", embedDim, embedDim, true);
        this.channels = channels;
        this.flipSinToCos = flipSinToCos;
        this.freqShift = (float) freqShift;
    }

    /** The sinusoidal projection of {@code timesteps} [B] → [B, channels] (float32, as diffusers computes it). */
    static NDArray sinusoidal(NDArray timesteps, int channels, boolean flipSinToCos, float freqShift) {
        int half = channels / 2;
        NDManager m = timesteps.getManager();
        float[] freqs = new float[half];
        float logMax = (float) -Math.log(10000.0);
        for (int i = 0; i < half; i++) {
            // exponent = -ln(max_period) * arange(half) / (half - shift), then exp, all in float32
            float exponent = (logMax * i) / (half - freqShift);
            freqs[i] = (float) Math.exp(exponent);
        }
        long b = timesteps.getShape().get(0);
        NDArray args = timesteps.toType(DataType.FLOAT32, false).reshape(b, 1).mul(m.create(freqs).reshape(1, half));
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        NDArray emb = flipSinToCos ? NDArrays.concat(new NDList(cos, sin), 1) : NDArrays.concat(new NDList(sin, cos), 1);
        if (channels % 2 == 1) {
            emb = NDArrays.concat(new NDList(emb, m.zeros(new ai.djl.ndarray.types.Shape(b, 1))), 1);
        }
        return emb;
    }

    /** @param dtype the compute dtype (the projection is computed in float32, then cast, as diffusers does) */
    NDArray forward(NDArray timesteps, DataType dtype) {
        NDArray emb = sinusoidal(timesteps, channels, flipSinToCos, freqShift);
        if (emb.getDataType() != dtype) {
            emb = emb.toType(dtype, false);
        }
        return linear2.forward(Ops.silu(linear1.forward(emb)));
    }
}
