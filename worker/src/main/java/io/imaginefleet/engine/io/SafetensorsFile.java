package io.imaginefleet.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * ({@code name → {dtype, shape, data_offsets}}, optional {@code __metadata__}), then raw little-endian data.
 *
 * <p>The header is validated when the file is opened (length within the file, offsets in range, byte counts
 * matching shape × dtype); tensor data is memory-mapped per tensor when read, so files above 2 GB work.
 * F16 and BF16 tensors are converted to float32 in Java (a BF16 NDArray would abort the JVM).
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Largest header accepted (the format's own reference implementation uses 100 MB). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where one tensor lives in the file. */
    public record Entry(String name, String dtype, long[] shape, long offset, long byteLength) {
        /** Number of elements. */
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, Map<String, Entry> entries, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and validates the header of {@code file}. */
    public static SafetensorsFile open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelFormatException("cannot open weights file " + file + ": " + e.getMessage(), e);
        }
        try {
            long size = ch.size();
            if (size < 8) {
                throw new ModelFormatException("weights file " + file + " is too short (" + size + " bytes) for a safetensors header");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new ModelFormatException("weights file " + file + " has a corrupt safetensors header length "
                        + Long.toUnsignedString(headerLen) + " (file size " + size + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ModelFormatException("weights file " + file + " has an unreadable safetensors JSON header: " + e.getMessage(), e);
            }
            if (header == null || !header.isObject()) {
                throw new ModelFormatException("weights file " + file + " has a safetensors header that is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.put(f.getKey(), parseEntry(file, f.getKey(), f.getValue(), dataStart, dataLen));
            }
            return new SafetensorsFile(file, ch, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            closeQuietly(ch);
            throw new ModelFormatException("cannot read weights file " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static Entry parseEntry(Path file, String name, JsonNode n, long dataStart, long dataLen) {
        String where = "tensor '" + name + "' in " + file;
        JsonNode dt = n.get("dtype");
        JsonNode sh = n.get("shape");
        JsonNode off = n.get("data_offsets");
        if (dt == null || !dt.isTextual() || sh == null || !sh.isArray() || off == null || !off.isArray() || off.size() != 2) {
            throw new ModelFormatException(where + " has a malformed header entry (needs dtype, shape, data_offsets[2])");
        }
        long[] shape = new long[sh.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!sh.get(i).canConvertToLong() || sh.get(i).asLong() < 0) {
                throw new ModelFormatException(where + " has an invalid shape " + sh);
            }
            shape[i] = sh.get(i).asLong();
            elements = Math.multiplyExact(elements, shape[i]);
        }
        long begin = off.get(0).asLong(-1);
        long end = off.get(1).asLong(-1);
        if (begin < 0 || end < begin || end > dataLen) {
            throw new ModelFormatException(where + " has data_offsets [" + off.get(0) + ", " + off.get(1)
                    + "] outside the data section (" + dataLen + " bytes)");
        }
        String dtype = dt.asText();
        int size = dtypeSize(dtype);
        if (size > 0 && Math.multiplyExact(elements, (long) size) != end - begin) {
            throw new ModelFormatException(where + ": shape " + sh + " × " + dtype + " needs " + elements * size
                    + " bytes but data_offsets span " + (end - begin));
        }
        return new Entry(name, dtype, shape, dataStart + begin, end - begin);
    }

    /** Bytes per element of a safetensors dtype, or -1 when unknown. */
    static int dtypeSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> -1;
        };
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** Tensor entries by name, in header order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Reads tensor {@code name}: F32/F16/BF16/F64 → FLOAT32, I64 → INT64, I32 → INT32, attached to {@code manager}.
     */
    public NDArray read(NDManager manager, String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new ModelFormatException("tensor '" + name + "' not found in " + path);
        }
        Shape shape = new Shape(e.shape());
        if (e.byteLength() == 0) {
            DataType t = e.dtype().equals("I64") ? DataType.INT64 : e.dtype().equals("I32") ? DataType.INT32 : DataType.FLOAT32;
            return manager.zeros(shape, t);
        }
        if (e.byteLength() > Integer.MAX_VALUE) {
            throw new ModelFormatException("tensor '" + name + "' in " + path + " is larger than 2 GB (" + e.byteLength() + " bytes)");
        }
        MappedByteBuffer buf;
        try {
            buf = channel.map(FileChannel.MapMode.READ_ONLY, e.offset(), e.byteLength());
        } catch (IOException ex) {
            throw new ModelFormatException("cannot map tensor '" + name + "' in " + path + ": " + ex.getMessage(), ex);
        }
        buf.order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer converted = null;
        try {
            NDArray wrapped = switch (e.dtype()) {
                case "F32" -> manager.create(buf, shape, DataType.FLOAT32);
                case "I64" -> manager.create(buf, shape, DataType.INT64);
                case "I32" -> manager.create(buf, shape, DataType.INT32);
                case "F16" -> manager.create(converted = halfToFloat(buf, (int) e.elementCount()), shape, DataType.FLOAT32);
                case "BF16" -> manager.create(converted = bfloatToFloat(buf, (int) e.elementCount()), shape, DataType.FLOAT32);
                case "F64" -> manager.create(converted = doubleToFloat(buf, (int) e.elementCount()), shape, DataType.FLOAT32);
                default -> throw new ModelFormatException("tensor '" + name + "' in " + path + " has unsupported dtype " + e.dtype());
            };
            return ownCopy(wrapped);
        } finally {
            // The clone owns its memory now: release the file mapping and the conversion buffer at once instead of
            // when the garbage collector gets to them (their pages would otherwise stay resident and, for a
            // full-size model, roughly double the peak memory while loading).
            DirectBuffers.free(buf);
            DirectBuffers.free(converted);
        }
    }

    /**
     * DJL's PyTorch engine wraps a direct buffer without copying (a read-only file mapping here, or a Java direct
     * buffer it allocated for heap data): an in-place op on such a tensor would crash the JVM, and the buffer would
     * count against Java's direct-memory limit. Cloning gives a tensor owned by libtorch's allocator.
     */
    static NDArray ownCopy(NDArray wrapped) {
        NDArray copy = wrapped.duplicate();
        wrapped.close();
        return copy;
    }

    /** A native-order direct buffer of {@code n} floats (freed by the caller with {@link DirectBuffers#free}). */
    private static ByteBuffer floatBuffer(int n) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(n, 4)).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer doubleToFloat(ByteBuffer buf, int n) {
        ByteBuffer out = floatBuffer(n);
        for (int i = 0; i < n; i++) {
            out.putFloat(i * 4, (float) buf.getDouble(i * 8));
        }
        return out;
    }

    static ByteBuffer halfToFloat(ByteBuffer buf, int n) {
        ByteBuffer out = floatBuffer(n);
        for (int i = 0; i < n; i++) {
            out.putFloat(i * 4, Half.toFloat(buf.getShort(i * 2)));
        }
        return out;
    }

    static ByteBuffer bfloatToFloat(ByteBuffer buf, int n) {
        ByteBuffer out = floatBuffer(n);
        for (int i = 0; i < n; i++) {
            out.putInt(i * 4, (buf.getShort(i * 2) & 0xffff) << 16);
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += r;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
