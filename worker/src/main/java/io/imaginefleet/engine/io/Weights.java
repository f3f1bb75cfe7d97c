package io.imaginefleet.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The weights of one model component (a diffusers/transformers folder such as {@code unet/} or {@code vae/}):
 * a single {@code .safetensors} file or a sharded set described by {@code *.safetensors.index.json}.
 *
 * <p>{@link #get} returns float32 arrays on the CPU (F16/BF16 are converted in Java); every tensor is
 * memory-mapped on its own, so files larger than 2 GB work. Missing or mis-shaped tensors raise
 * {@link ModelFormatException} naming the tensor and the file.
 */
public final class Weights implements AutoCloseable {

    /** File names tried in order inside a component folder. */
    static final List<String> SINGLE_FILES = List.of(
            "diffusion_pytorch_model.safetensors", "model.safetensors",
            "diffusion_pytorch_model.fp16.safetensors", "model.fp16.safetensors");
    static final List<String> INDEX_FILES = List.of(
            "diffusion_pytorch_model.safetensors.index.json", "model.safetensors.index.json",
            "diffusion_pytorch_model.safetensors.index.fp16.json", "model.safetensors.index.fp16.json",
            "diffusion_pytorch_model.fp16.safetensors.index.json", "model.fp16.safetensors.index.json");

    private final Path source;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byName;

    private Weights(Path source, List<SafetensorsFile> files, Map<String, SafetensorsFile> byName) {
        this.source = source;
        this.files = files;
        this.byName = byName;
    }

    /**
     * Opens the weights of a component folder (or a single {@code .safetensors} / {@code .index.json} file).
     *
     * @throws ModelFormatException when no usable weights are found or a header is corrupt
     */
    public static Weights open(Path componentDir) {
        if (Files.isRegularFile(componentDir)) {
            String fn = componentDir.getFileName().toString();
            return fn.endsWith(".json") ? openIndex(componentDir) : openSingle(componentDir);
        }
        if (!Files.isDirectory(componentDir)) {
            throw new ModelFormatException("model component folder " + componentDir + " does not exist");
        }
        for (String f : SINGLE_FILES) {
            Path p = componentDir.resolve(f);
            if (Files.isRegularFile(p)) {
                return openSingle(p);
            }
        }
        for (String f : INDEX_FILES) {
            Path p = componentDir.resolve(f);
            if (Files.isRegularFile(p)) {
                return openIndex(p);
            }
        }
        List<String> present;
        try (Stream<Path> s = Files.list(componentDir)) {
            present = s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            present = List.of();
        }
        List<Path> other = present.stream().filter(n -> n.endsWith(".safetensors")).map(componentDir::resolve).toList();
        if (other.size() == 1) {
            return openSingle(other.get(0));
        }
        throw new ModelFormatException("no safetensors weights in " + componentDir + " (expected one of "
                + SINGLE_FILES + " or a *.safetensors.index.json; found " + present
                + "). PyTorch .bin/.ckpt files are not supported: convert them to safetensors.");
    }

    private static Weights openSingle(Path file) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        for (String n : f.entries().keySet()) {
            byName.put(n, f);
        }
        return new Weights(file, List.of(f), Collections.unmodifiableMap(byName));
    }

    private static Weights openIndex(Path indexFile) {
        JsonNode index;
        try {
            index = new ObjectMapper().readTree(indexFile.toFile());
        } catch (IOException e) {
            throw new ModelFormatException("unreadable safetensors index " + indexFile + ": " + e.getMessage(), e);
        }
        JsonNode map = index == null ? null : index.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelFormatException("safetensors index " + indexFile + " has no weight_map object");
        }
        Path dir = indexFile.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String shardName = e.getValue().asText();
                Path shardPath = dir.resolve(shardName).normalize();
                if (!shardPath.startsWith(dir) || !Files.isRegularFile(shardPath)) {
                    throw new ModelFormatException("safetensors index " + indexFile + " maps tensor '" + e.getKey()
                            + "' to missing shard " + shardName);
                }
                SafetensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    shard = SafetensorsFile.open(shardPath);
                    shards.put(shardName, shard);
                }
                if (!shard.entries().containsKey(e.getKey())) {
                    throw new ModelFormatException("tensor '" + e.getKey() + "' listed in " + indexFile
                            + " is not in shard " + shardPath);
                }
                byName.put(e.getKey(), shard);
            }
        } catch (RuntimeException ex) {
            shards.values().forEach(SafetensorsFile::close);
            throw ex;
        }
        return new Weights(indexFile, List.copyOf(shards.values()), Collections.unmodifiableMap(byName));
    }

    /** The file (or index file) these weights were read from. */
    public Path source() {
        return source;
    }

    /** All tensor names. */
    public Set<String> names() {
        return byName.keySet();
    }

    /** Names starting with {@code prefix}. */
    public Set<String> namesWithPrefix(String prefix) {
        Set<String> out = new LinkedHashSet<>();
        for (String n : byName.keySet()) {
            if (n.startsWith(prefix)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Whether tensor {@code name} exists. */
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** Shape of tensor {@code name}. */
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    /** The safetensors dtype string of {@code name} (F32, F16, BF16, …). */
    public String dtype(String name) {
        return entry(name).dtype();
    }

    private SafetensorsFile.Entry entry(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new ModelFormatException("tensor '" + name + "' not found in " + source);
        }
        return f.entries().get(name);
    }

    /**
     * Reads tensor {@code name} as float32 (integer tensors keep INT64/INT32) into {@code manager}.
     *
     * @param expectedShape when non-empty, the tensor must have exactly this shape
     */
    public NDArray get(NDManager manager, String name, long... expectedShape) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new ModelFormatException("tensor '" + name + "' not found in " + source);
        }
        long[] actual = f.entries().get(name).shape();
        if (expectedShape != null && expectedShape.length > 0 && !Arrays.equals(actual, expectedShape)) {
            throw new ModelFormatException("tensor '" + name + "' in " + f.path() + " has shape " + Arrays.toString(actual)
                    + ", expected " + Arrays.toString(expectedShape));
        }
        return f.read(manager, name);
    }

    /** Reads {@code name} if present, otherwise returns {@code null}. */
    public NDArray getOptional(NDManager manager, String name, long... expectedShape) {
        return has(name) ? get(manager, name, expectedShape) : null;
    }

    @Override
    public void close() {
        List<RuntimeException> errors = new ArrayList<>();
        for (SafetensorsFile f : files) {
            try {
                f.close();
            } catch (RuntimeException e) {
                errors.add(e);
            }
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
    }
}
