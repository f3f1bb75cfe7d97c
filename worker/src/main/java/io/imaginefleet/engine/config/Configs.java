package io.imaginefleet.engine.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.imaginefleet.engine.io.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads diffusers/transformers {@code config.json} files into typed records: snake_case JSON names map to
 * camelCase record components, unknown fields are ignored, missing ones are left null/0 (records supply their
 * diffusers defaults in a compact constructor).
 */
public final class Configs {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    private Configs() {
    }

    /** The shared mapper (snake_case, lenient). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads {@code json} into {@code type}; errors name the file. */
    public static <T> T read(Path json, Class<T> type) {
        if (!Files.isRegularFile(json)) {
            throw new ModelFormatException("config file " + json + " does not exist");
        }
        try {
            return MAPPER.readValue(json.toFile(), type);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelFormatException("invalid config " + json + " for " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Converts an already parsed node into {@code type}. */
    public static <T> T convert(JsonNode node, Class<T> type, String what) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelFormatException("invalid config " + what + " for " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Reads a JSON file as a tree. */
    public static JsonNode readTree(Path json) {
        try {
            return MAPPER.readTree(json.toFile());
        } catch (IOException e) {
            throw new ModelFormatException("invalid JSON file " + json + ": " + e.getMessage(), e);
        }
    }
}
