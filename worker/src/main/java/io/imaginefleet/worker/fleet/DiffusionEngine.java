package io.imaginefleet.worker.fleet;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.pipeline.GenerationRequest;
import io.imaginefleet.engine.pipeline.GenerationResult;
import io.imaginefleet.engine.pipeline.ProgressListener;
import io.imaginefleet.engine.pipeline.StableDiffusion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@link ImageEngine} on the project's diffusion pipeline ({@link StableDiffusion}), one pipeline per model folder. */
public final class DiffusionEngine implements ImageEngine {
    private static final Logger LOG = LoggerFactory.getLogger(DiffusionEngine.class);
    private final Map<String, StableDiffusion> pipelines;

    private DiffusionEngine(Map<String, StableDiffusion> pipelines) {
        this.pipelines = pipelines;
    }

    /** Loads every model (name → diffusers folder); fails naming the folder that does not load. */
    public static DiffusionEngine load(Map<String, Path> models, EngineOptions options) {
        Map<String, StableDiffusion> loaded = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Path> m : models.entrySet()) {
                long t0 = System.nanoTime();
                loaded.put(m.getKey(), StableDiffusion.load(m.getValue(), options));
                LOG.info("model {} loaded from {} in {} ms", m.getKey(), m.getValue(), (System.nanoTime() - t0) / 1_000_000);
            }
        } catch (RuntimeException e) {
            loaded.values().forEach(StableDiffusion::close);
            throw e;
        }
        return new DiffusionEngine(loaded);
    }

    /** {@code cpu} → fp32 on the CPU; {@code cuda} → fp16 on GPU 0 (needs a CUDA libtorch, see the README). */
    public static EngineOptions options(String device) {
        if ("cuda".equalsIgnoreCase(device) || "gpu".equalsIgnoreCase(device)) {
            return new EngineOptions(Device.gpu(), DataType.FLOAT16, EngineOptions.DEFAULT_ATTENTION_BUDGET);
        }
        if (!"cpu".equalsIgnoreCase(device)) {
            throw new IllegalArgumentException("WORKER_DEVICE must be cpu or cuda (was '" + device + "')");
        }
        return EngineOptions.cpu();
    }

    @Override
    public Set<String> models() {
        return pipelines.keySet();
    }

    @Override
    public Set<GenerationRequest.Mode> modes(String model) {
        StableDiffusion p = pipelines.get(model);
        return p == null ? Set.of() : p.supportedModes();
    }

    @Override
    public synchronized GenerationResult generate(String model, GenerationRequest request, ProgressListener listener) {
        StableDiffusion p = pipelines.get(model);
        if (p == null) {
            throw new IllegalArgumentException("model: unknown model '" + model + "'");
        }
        return p.generate(request, listener);
    }

    @Override
    public void close() {
        pipelines.values().forEach(StableDiffusion::close);
    }
}
