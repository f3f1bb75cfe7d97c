package io.imaginefleet.engine.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small helpers for the sd-tiny fixture cases used by the text tests. */
final class TextFixtures {

    private TextFixtures() {
    }

    static JsonNode fixtureCase(Path fixtures, String id) throws IOException {
        JsonNode manifest = new ObjectMapper().enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature()).readTree(fixtures.resolve("manifest.json").toFile());
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

    /** Reads an int64 ('<i8') .npy file (temporary until engine.io.Npy lands). */
    static long[] longs(Path npy) throws IOException {
        byte[] all = Files.readAllBytes(npy);
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int major = all[6];
        int headerLen = major == 1 ? buf.getShort(8) & 0xFFFF : buf.getInt(8);
        int offset = (major == 1 ? 10 : 12) + headerLen;
        String header = new String(all, major == 1 ? 10 : 12, headerLen, StandardCharsets.ISO_8859_1);
        if (!header.contains("'<i8'")) {
            throw new AssertionError(npy + ": expected <i8, header " + header);
        }
        long[] out = new long[(all.length - offset) / 8];
        buf.position(offset);
        buf.asLongBuffer().get(out);
        return out;
    }
}
