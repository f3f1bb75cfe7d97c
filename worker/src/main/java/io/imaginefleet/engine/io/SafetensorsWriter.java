package io.imaginefleet.engine.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a standard {@code .safetensors} file from float arrays, as F32, F16 or BF16 (used by tests and tools).
 */
public final class SafetensorsWriter {
    private record Pending(String name, String dtype, long[] shape, byte[] data) {
    }

    private final List<Pending> tensors = new ArrayList<>();
    private Map<String, String> metadata = Map.of();

    /** Adds a float tensor stored as {@code dtype} (F32, F16 or BF16). */
    public SafetensorsWriter add(String name, String dtype, long[] shape, float[] values) {
        ByteBuffer b;
        switch (dtype) {
            case "F32" -> {
                b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    b.putFloat(v);
                }
            }
            case "F16" -> {
                b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    b.putShort(Half.fromFloat(v));
                }
            }
            case "BF16" -> {
                b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    b.putShort(Half.floatToBfloat16(v));
                }
            }
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        }
        tensors.add(new Pending(name, dtype, shape.clone(), b.array()));
        return this;
    }

    /** Adds an int64 tensor. */
    public SafetensorsWriter addLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        tensors.add(new Pending(name, "I64", shape.clone(), b.array()));
        return this;
    }

    /** Sets the {@code __metadata__} map. */
    public SafetensorsWriter metadata(Map<String, String> m) {
        this.metadata = Map.copyOf(m);
        return this;
    }

    /** Writes the file. */
    public void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Pending p : tensors) {
            ObjectNode t = header.putObject(p.name());
            t.put("dtype", p.dtype());
            ArrayNode s = t.putArray("shape");
            for (long d : p.shape()) {
                s.add(d);
            }
            ArrayNode o = t.putArray("data_offsets");
            o.add(offset);
            offset += p.data().length;
            o.add(offset);
        }
        byte[] h = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        byte[] hp = new byte[h.length + pad];
        System.arraycopy(h, 0, hp, 0, h.length);
        for (int i = h.length; i < hp.length; i++) {
            hp[i] = ' ';
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hp.length).array());
            out.write(hp);
            for (Pending p : tensors) {
                out.write(p.data());
            }
        }
    }
}
