package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.scheduler.Scheduler;

/**
 * imagine-fleet's own reproducible Gaussian noise: the same seed gives the same float32 tensor on every machine,
 * operating system and accelerator (it is computed in Java, not by the engine's RNG).
 *
 * <p>Algorithm (documented so other implementations can reproduce it):
 * <ol>
 *   <li>State: a 64-bit {@code long}, initialised to the seed. Each draw advances it with SplitMix64
 *       ({@code state += 0x9E3779B97F4A7C15; z = state; z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9;
 *       z = (z ^ (z >>> 27)) * 0x94D049BB133111EB; z ^= z >>> 31}).</li>
 *   <li>A uniform double in (0, 1]: {@code u = ((z >>> 11) + 1) * 2^-53}.</li>
 *   <li>Box–Muller on pairs {@code (u1, u2)}: {@code r = sqrt(-2 ln u1)}, {@code n0 = r cos(2 pi u2)},
 *       {@code n1 = r sin(2 pi u2)} (in double, both used, in that order), each rounded to float32.</li>
 *   <li>Tensors are filled in row-major (C) order.</li>
 * </ol>
 * Image {@code i} of a request uses its own stream seeded with {@code seed + i}; the stream first yields the
 * initial latents and then, in order, every further draw the sampler makes for that image (ancestral step noise,
 * img2img noise). So image 2 of a four-image batch equals a single-image run with {@code seed + 2}.
 */
public final class SeededNoise {

    private long state;
    private double spare;
    private boolean hasSpare;

    /** A stream seeded with {@code seed}. */
    public SeededNoise(long seed) {
        this.state = seed;
    }

    /** The next raw 64 bits of SplitMix64. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in (0, 1]. */
    public double nextUniform() {
        return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
    }

    /** The next standard normal value (Box–Muller, both values of each pair used). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1 = nextUniform();
        double u2 = nextUniform();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        double theta = 2.0 * Math.PI * u2;
        spare = r * Math.sin(theta);
        hasSpare = true;
        return r * Math.cos(theta);
    }

    /** Fills {@code out} with standard normal float32 values. */
    public void fill(float[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) nextGaussian();
        }
    }

    /** {@code n} standard normal float32 values. */
    public float[] next(int n) {
        float[] out = new float[n];
        fill(out);
        return out;
    }

    /** A float32 tensor of the given shape from this stream, in {@code manager}. */
    public NDArray next(NDManager manager, Shape shape) {
        return manager.create(next(Math.toIntExact(shape.size())), shape);
    }

    /**
     * A batch tensor {@code [B, ...]} whose slice {@code i} comes from its own stream seeded with {@code seed + i}
     * (each slice drawn fresh, as the first draw of that stream).
     */
    public static NDArray randn(NDManager manager, Shape shape, long seed) {
        return new Batch(seed, (int) shape.get(0)).next(manager, shape);
    }

    /**
     * Per-image streams of a batch: image {@code i} draws from {@code seed + i}. Usable as a scheduler
     * {@link Scheduler.NoiseSource}: a draw shaped {@code [B, ...]} takes slice {@code i} from stream {@code i}.
     */
    public static final class Batch implements Scheduler.NoiseSource {
        private final SeededNoise[] streams;

        /** {@code count} streams seeded {@code seed, seed+1, …}. */
        public Batch(long seed, int count) {
            streams = new SeededNoise[count];
            for (int i = 0; i < count; i++) {
                streams[i] = new SeededNoise(seed + i);
            }
        }

        /** A {@code [B, ...]} tensor; B must equal the number of streams. */
        public NDArray next(NDManager manager, Shape shape) {
            if (shape.get(0) != streams.length) {
                throw new IllegalArgumentException("noise batch " + shape.get(0) + " != " + streams.length + " seeded streams");
            }
            int per = Math.toIntExact(shape.size() / streams.length);
            float[] all = new float[per * streams.length];
            float[] one = new float[per];
            for (int i = 0; i < streams.length; i++) {
                streams[i].fill(one);
                System.arraycopy(one, 0, all, i * per, per);
            }
            return manager.create(all, shape);
        }

        @Override
        public NDArray next(NDArray like) {
            return next(like.getManager(), like.getShape());
        }
    }
}
