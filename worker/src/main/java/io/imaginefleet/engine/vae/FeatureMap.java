package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.io.DirectBuffers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A whole-image [B, C, H, W] float32 feature map kept in a temporary file (deleted on {@link #close()}) and read and
 * written in row strips, so that a VAE layer can run over an image of any size with only a strip in memory. While
 * strips are written it accumulates the map's per-(sample, group) mean and variance ({@link GroupMoments}), which the
 * next group norm needs. The file goes through the page cache; it is not part of the process's resident memory.
 */
final class FeatureMap implements AutoCloseable {
    private final long batch;
    private final long channels;
    private final long height;
    private final long width;
    private final GroupMoments moments;
    private final Path file;
    private final FileChannel channel;

    /**
     * @param groups group count whose statistics to accumulate while writing; 0 (or one that does not divide the
     *               channels) records none
     */
    FeatureMap(long batch, long channels, long height, long width, int groups) {
        this.batch = batch;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.moments = groups > 0 && channels % groups == 0 ? new GroupMoments(batch, groups) : null;
        try {
            this.file = Files.createTempFile("imaginefleet-vae-", ".f32");
            this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary VAE feature map in " + System.getProperty("java.io.tmpdir")
                    + ": " + e.getMessage(), e);
        }
    }

    /** A map holding {@code x} [B, C, H, W] (statistics for {@code groups}, as the constructor). */
    static FeatureMap of(NDArray x, int groups) {
        Shape s = x.getShape();
        FeatureMap map = new FeatureMap(s.get(0), s.get(1), s.get(2), s.get(3), groups);
        try {
            map.write(0, x);
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
        return map;
    }

    long batch() {
        return batch;
    }

    long channels() {
        return channels;
    }

    long height() {
        return height;
    }

    long width() {
        return width;
    }

    /** Statistics of everything written so far (each row written once); {@code null} when none are recorded. */
    GroupMoments moments() {
        return moments;
    }

    /** Rows {@code [y0, y1)} as a new [B, C, y1 - y0, W] array in {@code manager}. */
    NDArray read(NDManager manager, long y0, long y1) {
        checkRows(y0, y1);
        long rows = y1 - y0;
        long chunk = rows * width * Float.BYTES;
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(batch * channels * chunk)).order(ByteOrder.nativeOrder());
        try {
            for (long bc = 0; bc < batch * channels; bc++) {
                long pos = offset(bc, y0);
                buf.limit(Math.toIntExact((bc + 1) * chunk)).position(Math.toIntExact(bc * chunk));
                while (buf.hasRemaining()) {
                    int n = channel.read(buf, pos);
                    if (n < 0) {
                        throw new IOException("unexpected end of " + file);
                    }
                    pos += n;
                }
            }
            buf.clear();
            NDArray wrapped = manager.create(buf, new Shape(batch, channels, rows, width), DataType.FLOAT32);
            NDArray own = wrapped.duplicate(); // own memory, so the buffer can be released now
            wrapped.close();
            return own;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the VAE feature map " + file + ": " + e.getMessage(), e);
        } finally {
            DirectBuffers.free(buf);
        }
    }

    /** The whole map as one array in {@code manager}. */
    NDArray readAll(NDManager manager) {
        return read(manager, 0, height);
    }

    /** Writes {@code rows} [B, C, r, W] at rows {@code [y0, y0 + r)} and adds them to the statistics. */
    void write(long y0, NDArray rows) {
        Shape s = rows.getShape();
        if (s.dimension() != 4 || s.get(0) != batch || s.get(1) != channels || s.get(3) != width) {
            throw new IllegalArgumentException("strip " + s + " does not fit the map [" + batch + ", " + channels + ", "
                    + height + ", " + width + "]");
        }
        long r = s.get(2);
        checkRows(y0, y0 + r);
        if (moments != null) {
            moments.add(rows);
        }
        ByteBuffer buf = rows.toByteBuffer();
        long chunk = r * width * Float.BYTES;
        try {
            for (long bc = 0; bc < batch * channels; bc++) {
                long pos = offset(bc, y0);
                ByteBuffer part = buf.duplicate();
                part.limit(Math.toIntExact((bc + 1) * chunk)).position(Math.toIntExact(bc * chunk));
                while (part.hasRemaining()) {
                    pos += channel.write(part, pos);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the VAE feature map " + file + " (disk full?): " + e.getMessage(), e);
        } finally {
            DirectBuffers.free(buf);
        }
    }

    private long offset(long bc, long y) {
        return (bc * height + y) * width * Float.BYTES;
    }

    private void checkRows(long y0, long y1) {
        if (y0 < 0 || y1 > height || y1 <= y0) {
            throw new IllegalArgumentException("rows [" + y0 + ", " + y1 + ") outside a map of height " + height);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // the file is deleted on close; nothing else to release
        }
    }
}
