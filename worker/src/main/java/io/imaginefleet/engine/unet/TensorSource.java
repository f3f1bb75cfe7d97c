package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.io.Weights;

/**
 * Where the UNet's parameters come from: a model folder's {@link Weights}, or random tensors made in memory
 * (benchmarks and smoke tests of full-size architectures without a multi-GB file).
 */
public interface TensorSource {
    /**
     * The tensor {@code name} as float32 in {@code manager}.
     *
     * @throws io.imaginefleet.engine.io.ModelFormatException when it is missing or its shape is not {@code shape}
     */
    NDArray get(NDManager manager, String name, long... shape);

    /** Whether the tensor exists. */
    boolean has(String name);

    /** Parameters read from a model folder's weights (shapes checked by {@link Weights#get}). */
    static TensorSource of(Weights weights) {
        return new TensorSource() {
            @Override
            public NDArray get(NDManager manager, String name, long... shape) {
                return weights.get(manager, name, shape);
            }

            @Override
            public boolean has(String name) {
                return weights.has(name);
            }
        };
    }

    /**
     * Random parameters of any requested shape: LeCun-normal (std 1/√fan_in) matrices and kernels, norm weights 1,
     * biases 0 — activations stay in a normal float range through a full-size UNet.
     */
    static TensorSource random(long seed) {
        return new TensorSource() {
            private boolean seeded;

            @Override
            public NDArray get(NDManager manager, String name, long... shape) {
                if (!seeded) {
                    manager.getEngine().setRandomSeed((int) seed);
                    seeded = true;
                }
                Shape s = new Shape(shape);
                if (name.endsWith(".bias")) {
                    return manager.zeros(s);
                }
                if (shape.length == 1) {
                    return manager.ones(s);
                }
                long fanIn = s.size() / shape[0];
                return manager.randomNormal(0f, (float) (1.0 / Math.sqrt(fanIn)), s, ai.djl.ndarray.types.DataType.FLOAT32);
            }

            @Override
            public boolean has(String name) {
                return true;
            }
        };
    }
}
