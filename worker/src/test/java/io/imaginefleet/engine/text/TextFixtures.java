package io.imaginefleet.engine.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;

/** Small helpers for the sd-tiny fixture cases used by the text tests. */
final class TextFixtures {

    private TextFixtures() {
    }

    /** manifest.json (it contains -Infinity values, so non-numeric numbers are allowed). */
    static JsonNode manifest(Path fixtures) throws IOException {
        return new ObjectMapper().enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
                .readTree(fixtures.resolve("manifest.json").toFile());
    }

    static JsonNode fixtureCase(Path fixtures, String id) throws IOException {
        JsonNode manifest = manifest(fixtures);
        for (JsonNode c : manifest.get("cases")) {
            if (id.equals(c.get("id").asText())) {
                return c;
            }
        }
        throw new AssertionError("fixture case " + id + " not in manifest.json");
    }

    static long[] toLongs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    /** Prompt text with control characters escaped, for readable failure messages. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || Character.getType(cp) == Character.FORMAT || cp > 0xFFFF
                    || Character.getType(cp) == Character.SURROGATE) {
                sb.append(String.format("\\u{%X}", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.append('"').toString();
    }

    /** All values of an int64 ('<i8') .npy file. */
    static long[] longs(Path npy) {
        return io.imaginefleet.engine.io.Npy.readLongs(npy);
    }
}
