package io.imaginefleet.engine.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import io.imaginefleet.engine.EngineOptions;
import picocli.CommandLine.Option;

/**
 * {@code --device cpu|cuda}: CPU runs float32; CUDA runs float16 weights on GPU 0 and needs a CUDA build of libtorch
 * 2.7.1 given to DJL with {@code PYTORCH_LIBRARY_PATH} (and {@code PYTORCH_FLAVOR}/{@code PYTORCH_VERSION}).
 */
public final class EngineFlags {

    @Option(names = "--device", defaultValue = "cpu", description = "cpu (float32, default) or cuda (float16; needs PYTORCH_LIBRARY_PATH)")
    String device;

    /** The engine options of the chosen device. */
    public EngineOptions options() {
        return options(device);
    }

    static EngineOptions options(String device) {
        switch (device == null ? "cpu" : device) {
            case "cpu" -> {
                return EngineOptions.cpu();
            }
            case "cuda", "gpu" -> {
                int gpus = Engine.getEngine("PyTorch").getGpuCount();
                if (gpus == 0) {
                    throw new IllegalArgumentException("--device cuda: libtorch sees no CUDA GPU; point "
                            + "PYTORCH_LIBRARY_PATH at a CUDA build of libtorch 2.7.1 (see README) and check nvidia-smi");
                }
                return new EngineOptions(Device.gpu(0), DataType.FLOAT16, EngineOptions.DEFAULT_ATTENTION_BUDGET * 4);
            }
            default -> throw new IllegalArgumentException("--device must be cpu or cuda, got " + device);
        }
    }
}
