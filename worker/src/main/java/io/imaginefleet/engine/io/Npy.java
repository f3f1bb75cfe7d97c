package io.imaginefleet.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format 1.0, 2.0 and 3.0 headers), C order, little-endian {@code <f4} (FLOAT32),
 * {@code <i8} (INT64) and {@code <i4} (INT32).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** A parsed file: dtype descriptor, shape and the raw little-endian data. */
    public record Contents(String descr, long[] shape, ByteBuffer data) {
        /** Number of elements. */
        public long elementCount() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** Parses {@code file}. */
    public static Contents parse(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException("cannot read npy file " + file + ": " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) {
            throw new ModelFormatException("npy file " + file + " is too short");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new ModelFormatException("file " + file + " is not a .npy file (bad magic)");
            }
        }
        int major = bytes[6];
        long headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            headerLen = b.getInt(8) & 0xffffffffL;
            headerStart = 12;
        } else {
            throw new ModelFormatException("npy file " + file + " has unsupported format version " + major);
        }
        if (headerStart + headerLen > bytes.length) {
            throw new ModelFormatException("npy file " + file + " has a header longer than the file");
        }
        String header = new String(bytes, headerStart, (int) headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new ModelFormatException("npy file " + file + " has an unreadable header: " + header.trim());
        }
        if (f.group(1).equals("True")) {
            throw new ModelFormatException("npy file " + file + " is in Fortran order (only C order is supported)");
        }
        String[] dims = s.group(1).split(",");
        long[] shape = java.util.Arrays.stream(dims).map(String::trim).filter(x -> !x.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        String descr = d.group(1);
        int size = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<i8", "<f8" -> 8;
            default -> throw new ModelFormatException("npy file " + file + " has unsupported dtype " + descr
                    + " (supported: <f4, <f8, <i8, <i4)");
        };
        int dataStart = headerStart + (int) headerLen;
        long n = 1;
        for (long x : shape) {
            n *= x;
        }
        if (n * size != bytes.length - dataStart) {
            throw new ModelFormatException("npy file " + file + ": shape " + java.util.Arrays.toString(shape) + " × " + descr
                    + " needs " + n * size + " bytes, file has " + (bytes.length - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, bytes.length - dataStart).slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Contents(descr, shape, data);
    }

    /** Reads {@code file}: {@code <f4}/{@code <f8} → FLOAT32, {@code <i8} → INT64, {@code <i4} → INT32. */
    public static NDArray read(NDManager manager, Path file) {
        Contents c = parse(file);
        Shape shape = new Shape(c.shape());
        return SafetensorsFile.ownCopy(switch (c.descr()) {
            case "<f4" -> manager.create(c.data(), shape, DataType.FLOAT32);
            case "<f8" -> manager.create(readFloats(c), shape);
            case "<i8" -> manager.create(c.data(), shape, DataType.INT64);
            default -> manager.create(c.data(), shape, DataType.INT32);
        });
    }

    /** All values of a float file, flattened in C order. */
    public static float[] readFloats(Path file) {
        return readFloats(parse(file));
    }

    private static float[] readFloats(Contents c) {
        int n = (int) c.elementCount();
        float[] out = new float[n];
        ByteBuffer b = c.data();
        switch (c.descr()) {
            case "<f4" -> b.asFloatBuffer().get(out);
            case "<f8" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            case "<i8" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getLong(i * 8);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(i * 4);
                }
            }
        }
        return out;
    }

    /** All values of an integer file ({@code <i8} or {@code <i4}), flattened in C order. */
    public static long[] readLongs(Path file) {
        Contents c = parse(file);
        int n = (int) c.elementCount();
        long[] out = new long[n];
        ByteBuffer b = c.data();
        switch (c.descr()) {
            case "<i8" -> b.asLongBuffer().get(out);
            case "<i4" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(i * 4);
                }
            }
            default -> throw new ModelFormatException("npy file " + file + " holds " + c.descr() + ", not integers");
        }
        return out;
    }

    /** The shape stored in {@code file}. */
    public static long[] shape(Path file) {
        return parse(file).shape();
    }

    /** Writes {@code array} (FLOAT32 → {@code <f4}, INT64 → {@code <i8}, INT32 → {@code <i4}) as format 1.0. */
    public static void write(Path file, NDArray array) {
        String descr = switch (array.getDataType()) {
            case FLOAT32 -> "<f4";
            case INT64 -> "<i8";
            case INT32 -> "<i4";
            default -> throw new IllegalArgumentException("cannot write " + array.getDataType() + " to npy (use FLOAT32, INT64 or INT32)");
        };
        ByteBuffer data = array.toByteBuffer();
        byte[] raw = new byte[data.remaining()];
        data.order(ByteOrder.LITTLE_ENDIAN).get(raw);
        write(file, descr, array.getShape().getShape(), raw);
    }

    /** Writes float32 values with the given shape. */
    public static void writeFloats(Path file, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        write(file, "<f4", shape, b.array());
    }

    /** Writes int64 values with the given shape. */
    public static void writeLongs(Path file, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        write(file, "<i8", shape, b.array());
    }

    private static void write(Path file, String descr, long[] shape, byte[] raw) {
        StringBuilder sh = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sh.append(shape[i]);
            if (shape.length == 1 || i < shape.length - 1) {
                sh.append(shape.length == 1 ? "," : ", ");
            }
        }
        sh.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + sh + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] hb = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        pre.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) hb.length);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(pre.array());
            out.write(hb);
            out.write(raw);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write npy file " + file, e);
        }
    }
}
