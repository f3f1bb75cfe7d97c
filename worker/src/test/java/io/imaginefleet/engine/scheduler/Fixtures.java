package io.imaginefleet.engine.scheduler;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Access to the sd-tiny golden fixtures (system property {@code fixtures.dir}) for scheduler tests. */
final class Fixtures {

    static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private Fixtures() {
    }

    static Path dir() {
        String dir = System.getProperty("fixtures.dir");
        if (dir == null) {
            throw new IllegalStateException("system property fixtures.dir is not set");
        }
        return Path.of(dir);
    }

    static JsonNode manifest() {
        try {
            return JSON.readTree(dir().resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> schedulerCaseIds() {
        List<String> ids = new ArrayList<>();
        for (JsonNode c : manifest().get("cases")) {
            if ("scheduler".equals(c.get("kind").asText())) {
                ids.add(c.get("id").asText());
            }
        }
        return ids;
    }

    static JsonNode schedulerCase(String id) {
        for (JsonNode c : manifest().get("cases")) {
            if (id.equals(c.get("id").asText())) {
                return c;
            }
        }
        throw new IllegalArgumentException("no fixture case " + id);
    }

    /** A numpy array as flat values plus its shape (C order). */
    record Npy(long[] shape, double[] data) {
        int stride() {
            return shape.length == 0 ? 1 : (int) (data.length / shape[0]);
        }

        float[] slice(int i) {
            int n = stride();
            float[] out = new float[n];
            for (int k = 0; k < n; k++) {
                out[k] = (float) data[i * n + k];
            }
            return out;
        }

        float[] floats() {
            float[] out = new float[data.length];
            for (int k = 0; k < out.length; k++) {
                out[k] = (float) data[k];
            }
            return out;
        }
    }

    /** A fixture array through the engine's {@link io.imaginefleet.engine.io.Npy} reader. */
    static Npy npy(String relative) {
        Path file = dir().resolve(relative);
        float[] values = io.imaginefleet.engine.io.Npy.readFloats(file);
        double[] data = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = values[i];
        }
        return new Npy(io.imaginefleet.engine.io.Npy.shape(file), data);
    }
}
