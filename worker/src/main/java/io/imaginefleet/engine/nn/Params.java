package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.io.ModelFormatException;
import io.imaginefleet.engine.io.Weights;

import java.util.Arrays;

/**
 * Loads module parameters from {@link Weights} into a long-lived manager, on the engine's device and dtype.
 * Modules are built from a {@code Params} plus their name prefix ({@code "encoder.conv_in"}).
 */
public final class Params {
    private final Weights weights;
    private final NDManager manager;
    private final EngineOptions options;

    /** Parameters from {@code weights} kept in {@code manager} (which owns them) with {@code options}' dtype. */
    public Params(Weights weights, NDManager manager, EngineOptions options) {
        this.weights = weights;
        this.manager = manager;
        this.options = options;
    }

    /** CPU float32 parameters. */
    public Params(Weights weights, NDManager manager) {
        this(weights, manager, EngineOptions.cpu());
    }

    public Weights weights() {
        return weights;
    }

    public NDManager manager() {
        return manager;
    }

    public EngineOptions options() {
        return options;
    }

    /** Whether tensor {@code name} exists. */
    public boolean has(String name) {
        return weights.has(name);
    }

    /** Shape of tensor {@code name}. */
    public long[] shape(String name) {
        return weights.shape(name);
    }

    /** Tensor {@code name}, checked against {@code expectedShape} when one is given, in the compute dtype. */
    public NDArray get(String name, long... expectedShape) {
        return convert(weights.get(manager, name, expectedShape));
    }

    /** Tensor {@code name} or {@code null} when absent. */
    public NDArray optional(String name, long... expectedShape) {
        return weights.has(name) ? get(name, expectedShape) : null;
    }

    /**
     * Tensor {@code name} reshaped to {@code shape} (same element count), e.g. a 1×1 conv kernel used as a linear
     * weight. Fails naming the tensor when the element count differs.
     */
    public NDArray getReshaped(String name, long... shape) {
        long[] actual = weights.shape(name);
        long n = 1;
        long m = 1;
        for (long d : actual) {
            n *= d;
        }
        for (long d : shape) {
            m *= d;
        }
        if (n != m) {
            throw new ModelFormatException("tensor '" + name + "' in " + weights.source() + " has shape "
                    + Arrays.toString(actual) + ", expected " + Arrays.toString(shape));
        }
        NDArray raw = weights.get(manager, name);
        if (Arrays.equals(actual, shape)) {
            return convert(raw);
        }
        NDArray r = raw.reshape(shape);
        raw.close();
        return convert(r);
    }

    private NDArray convert(NDArray a) {
        if (options.dtype() != DataType.FLOAT32 && a.getDataType() == DataType.FLOAT32) {
            NDArray c = a.toType(options.dtype(), false);
            a.close();
            return c;
        }
        return a;
    }
}
