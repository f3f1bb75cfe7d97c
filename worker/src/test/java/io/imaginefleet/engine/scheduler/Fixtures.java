package io.imaginefleet.engine.scheduler;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** A numpy array as flat doubles plus its shape (minimal reader for little-endian f4/i8/f8, C order). */
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

    static Npy npy(String relative) {
        try {
            byte[] bytes = Files.readAllBytes(dir().resolve(relative));
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int major = bytes[6];
            int headerLen;
            int offset;
            if (major == 1) {
                headerLen = Short.toUnsignedInt(buf.getShort(8));
                offset = 10;
            } else {
                headerLen = buf.getInt(8);
                offset = 12;
            }
            String header = new String(bytes, offset, headerLen, StandardCharsets.ISO_8859_1);
            Matcher descr = Pattern.compile("'descr':\\s*'([^']+)'").matcher(header);
            Matcher shape = Pattern.compile("'shape':\\s*\\(([^)]*)\\)").matcher(header);
            if (!descr.find() || !shape.find() || header.contains("'fortran_order': True")) {
                throw new IllegalArgumentException(relative + ": unsupported npy header " + header);
            }
            List<Long> dims = new ArrayList<>();
            for (String part : shape.group(1).split(",")) {
                if (!part.isBlank()) {
                    dims.add(Long.parseLong(part.trim()));
                }
            }
            long count = 1;
            for (long d : dims) {
                count *= d;
            }
            double[] data = new double[(int) count];
            buf.position(offset + headerLen);
            switch (descr.group(1)) {
                case "<f4" -> { for (int i = 0; i < count; i++) { data[i] = buf.getFloat(); } }
                case "<i8" -> { for (int i = 0; i < count; i++) { data[i] = buf.getLong(); } }
                case "<f8" -> { for (int i = 0; i < count; i++) { data[i] = buf.getDouble(); } }
                default -> throw new IllegalArgumentException(relative + ": unsupported dtype " + descr.group(1));
            }
            return new Npy(dims.stream().mapToLong(Long::longValue).toArray(), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
