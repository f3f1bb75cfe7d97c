package io.imaginefleet.worker.fleet;

import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.pipeline.GenerationRequest;
import io.imaginefleet.engine.pipeline.GenerationResult;
import io.imaginefleet.engine.pipeline.ProgressListener;
import io.imaginefleet.engine.pipeline.StableDiffusion;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The worker's engine for tests: {@link EngineFactory#create} when it can build one, else the real
 * {@link StableDiffusion} pipelines on the tiny fixture models wrapped as an {@link ImageEngine} (real model math;
 * used only while the fleet's own engine adapter is not on main).
 */
final class TinyModelEngine implements ImageEngine {
    private final Map<String, StableDiffusion> models = new TreeMap<>();

    static ImageEngine create(WorkerConfig config) {
        try {
            return EngineFactory.create(config);
        } catch (UnsupportedOperationException e) {
            TinyModelEngine engine = new TinyModelEngine();
            EngineFactory.modelFolders(config).forEach((name, dir) -> engine.models.put(name, StableDiffusion.load(dir, EngineOptions.cpu())));
            return engine;
        }
    }

    @Override
    public Set<String> models() {
        return models.keySet();
    }

    @Override
    public Set<GenerationRequest.Mode> modes(String model) {
        StableDiffusion sd = models.get(model);
        return sd == null ? Set.of() : sd.supportedModes();
    }

    @Override
    public GenerationResult generate(String model, GenerationRequest request, ProgressListener listener) {
        StableDiffusion sd = models.get(model);
        if (sd == null) throw new IllegalArgumentException("model '" + model + "' is not served here");
        return sd.generate(request, listener);
    }

    @Override
    public void close() {
        models.values().forEach(StableDiffusion::close);
    }
}
