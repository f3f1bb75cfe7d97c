package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.storage.BlobStore;

import java.nio.file.Path;
import java.util.Map;

/** Builds the worker's engine from its config: resolves the model folders (local or S3 mirror) and loads them. */
public final class EngineFactory {
    private EngineFactory() {
    }

    /** The model folders this worker serves, mirroring an S3 prefix first when one is configured. */
    public static Map<String, Path> modelFolders(WorkerConfig config) {
        Path root = config.modelDir();
        if (config.modelS3Prefix() != null) {
            try (BlobStore blobs = new BlobStore(config.s3())) {
                root = ModelStore.mirror(blobs, config.modelS3Prefix(), config.modelCache());
            }
        }
        return ModelStore.scan(root, config.modelName());
    }

    /** The engine on every model the config names (loaded now; fails naming the folder that does not load). */
    public static ImageEngine create(WorkerConfig config) {
        return DiffusionEngine.load(modelFolders(config), DiffusionEngine.options(config.device()));
    }
}
