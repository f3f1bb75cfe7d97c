package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the model folders a worker serves: a local diffusers folder ({@code model_index.json} inside) or a folder of
 * such folders; or an S3 prefix mirrored into a local cache first (files already cached with the same size are not
 * fetched again). Model names are folder names unless one name is configured for a single model.
 */
public final class ModelStore {
    private static final Logger LOG = LoggerFactory.getLogger(ModelStore.class);

    private ModelStore() {
    }

    /** Name → folder of every model in {@code root}. Fails with a clear message when there is none. */
    public static Map<String, Path> scan(Path root, String singleName) {
        if (root == null || !Files.isDirectory(root)) {
            throw new IllegalArgumentException("model folder " + root + " does not exist (set WORKER_MODEL_DIR or WORKER_MODEL_S3_PREFIX)");
        }
        Map<String, Path> models = new LinkedHashMap<>();
        if (Files.isRegularFile(root.resolve("model_index.json"))) {
            models.put(singleName != null ? singleName : root.toAbsolutePath().normalize().getFileName().toString(), root);
            return models;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("model_index.json"))).sorted()
                    .forEach(d -> models.put(d.getFileName().toString(), d));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list model folder " + root, e);
        }
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no diffusers model (a folder with model_index.json) in " + root);
        }
        if (singleName != null && models.size() == 1) {
            Path only = models.values().iterator().next();
            models.clear();
            models.put(singleName, only);
        }
        return models;
    }

    /** Mirrors every object under {@code prefix} into {@code cacheRoot/<last prefix segment>}; returns that folder. */
    public static Path mirror(BlobStore blobs, String prefix, Path cacheRoot) {
        String p = prefix.endsWith("/") ? prefix : prefix + "/";
        String[] parts = p.substring(0, p.length() - 1).split("/");
        Path target = cacheRoot.resolve(parts[parts.length - 1]);
        List<String> keys = blobs.list(p);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no objects under s3://" + blobs.bucket() + "/" + p + " (WORKER_MODEL_S3_PREFIX)");
        }
        int fetched = 0;
        try {
            for (String key : keys) {
                String rel = key.substring(p.length());
                if (rel.isEmpty() || rel.endsWith("/") || rel.contains("..")) {
                    continue;
                }
                Path file = target.resolve(rel).normalize();
                if (!file.startsWith(target)) {
                    continue;
                }
                long size = blobs.head(key).orElse(-1L);
                if (Files.isRegularFile(file) && Files.size(file) == size) {
                    continue;
                }
                Files.createDirectories(file.getParent());
                Path tmp = file.resolveSibling(file.getFileName() + ".part");
                blobs.download(key, tmp);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                fetched++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model cache " + target, e);
        }
        LOG.info("model cache {}: {} object(s) under {}, {} fetched", target, keys.size(), p, fetched);
        return target;
    }
}
