package io.imaginefleet.engine.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyTest {
    private static final Path FIXTURES = Path.of(System.getProperty("fixtures.dir"));

    @TempDir
    Path dir;

    @Test
    void readsFixtureFloatAndIntFiles() {
        Path z = FIXTURES.resolve("cases/vae_decode__tiny-sd/z.npy");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = Npy.read(m, z);
            assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(a.getShape().getShape()).containsExactly(1, 4, 32, 32);
            float[] flat = Npy.readFloats(z);
            assertThat(flat).hasSize(4096);
            assertThat(a.toFloatArray()).containsExactly(flat);
            // a standard-normal draw: mean ≈ 0, std ≈ 1
            double mean = 0;
            double sq = 0;
            for (float v : flat) {
                mean += v;
                sq += v * v;
            }
            mean /= flat.length;
            assertThat(mean).isBetween(-0.2, 0.2);
            assertThat(Math.sqrt(sq / flat.length)).isBetween(0.8, 1.2);

            Path ids = FIXTURES.resolve("cases/tokenizer/input_ids.npy");
            NDArray idArr = Npy.read(m, ids);
            assertThat(idArr.getDataType()).isEqualTo(DataType.INT64);
            assertThat(idArr.getShape().getShape()).containsExactly(60, 77);
            long[] longs = Npy.readLongs(ids);
            assertThat(longs[0]).isEqualTo(49406L); // <|startoftext|>
            assertThat(longs[77]).isEqualTo(49406L);
            assertThat(longs[76]).isEqualTo(49407L); // padded with eos
        }
    }

    @Test
    void writeThenReadRoundTrips() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = m.create(new float[] {1.5f, -2f, 3f, 4f, 5f, 6f}, new ai.djl.ndarray.types.Shape(2, 3));
            Path p = dir.resolve("f.npy");
            Npy.write(p, f);
            NDArray back = Npy.read(m, p);
            assertThat(back.getShape()).isEqualTo(f.getShape());
            assertThat(back.toFloatArray()).containsExactly(f.toFloatArray());

            Path q = dir.resolve("l.npy");
            Npy.write(q, m.create(new long[] {7, -8, 9}));
            assertThat(Npy.readLongs(q)).containsExactly(7, -8, 9);
            assertThat(Npy.shape(q)).containsExactly(3);

            Path s = dir.resolve("scalar.npy");
            Npy.writeFloats(s, new long[0], new float[] {2.5f});
            assertThat(Npy.shape(s)).isEmpty();
            assertThat(Npy.readFloats(s)).containsExactly(2.5f);
        }
    }

    @Test
    void readsVersion2Header() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
        String header = dict + " ".repeat(64 - (12 + dict.length() + 1) % 64) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(12 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(h.length).put(h).putFloat(1f).putFloat(-1f);
        Path p = dir.resolve("v2.npy");
        Files.write(p, b.array());
        assertThat(Npy.readFloats(p)).containsExactly(1f, -1f);
    }

    @Test
    void rejectsBadFiles() throws IOException {
        Path notNpy = dir.resolve("x.npy");
        Files.writeString(notNpy, "hello world, not numpy");
        assertThatThrownBy(() -> Npy.readFloats(notNpy)).isInstanceOf(ModelFormatException.class).hasMessageContaining("x.npy");
        Path f = dir.resolve("f.npy");
        Npy.writeFloats(f, new long[] {3}, new float[] {1, 2, 3});
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 4));
        assertThatThrownBy(() -> Npy.readFloats(cut)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("cut.npy").hasMessageContaining("bytes");
        assertThatThrownBy(() -> Npy.readLongs(f)).isInstanceOf(ModelFormatException.class).hasMessageContaining("<f4");
    }
}
