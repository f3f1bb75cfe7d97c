package io.imaginefleet.engine;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

/**
 * Where and how the engine computes.
 *
 * @param device               CPU or a CUDA device
 * @param dtype                compute dtype (FLOAT32 on CPU; FLOAT16 is only sensible on CUDA)
 * @param attentionBudgetBytes largest attention score matrix allowed in one piece (sliced above it)
 * @param vaeBudgetBytes       largest estimated VAE activation footprint decoded/encoded in one piece;
 *                             bigger images are processed in row strips of about this size (same result)
 */
public record EngineOptions(Device device, DataType dtype, long attentionBudgetBytes, long vaeBudgetBytes) {

    /** Default attention budget: 512 MiB. */
    public static final long DEFAULT_ATTENTION_BUDGET = 512L << 20;
    /** Default VAE budget: 3 GiB. */
    public static final long DEFAULT_VAE_BUDGET = 3L << 30;

    /** Validates the options. */
    public EngineOptions {
        if (device == null || dtype == null) {
            throw new IllegalArgumentException("device and dtype are required");
        }
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("dtype must be FLOAT32 or FLOAT16, got " + dtype);
        }
        if (attentionBudgetBytes <= 0 || vaeBudgetBytes <= 0) {
            throw new IllegalArgumentException("memory budgets must be positive");
        }
    }

    /** Options with the default VAE budget. */
    public EngineOptions(Device device, DataType dtype, long attentionBudgetBytes) {
        this(device, dtype, attentionBudgetBytes, DEFAULT_VAE_BUDGET);
    }

    /** float32 on the CPU with default budgets. */
    public static EngineOptions cpu() {
        return new EngineOptions(Device.cpu(), DataType.FLOAT32, DEFAULT_ATTENTION_BUDGET, DEFAULT_VAE_BUDGET);
    }

    /** A copy with another attention budget. */
    public EngineOptions withAttentionBudget(long bytes) {
        return new EngineOptions(device, dtype, bytes, vaeBudgetBytes);
    }

    /** A copy with another VAE tiling budget. */
    public EngineOptions withVaeBudget(long bytes) {
        return new EngineOptions(device, dtype, attentionBudgetBytes, bytes);
    }

    /** Whether computation runs on a GPU. */
    public boolean isGpu() {
        return device.isGpu();
    }
}
