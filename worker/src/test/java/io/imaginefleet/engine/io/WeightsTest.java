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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightsTest {

    @TempDir
    Path dir;

    private static final float[] VALUES = {0f, 1f, -2.5f, 3.140625f, 65504f, -0.000061035156f, 1e-7f, 0.1f};

    @Test
    void roundTripsF32F16Bf16AndInt64() throws IOException {
        Path f = dir.resolve("diffusion_pytorch_model.safetensors");
        new SafetensorsWriter()
                .add("a.f32", "F32", new long[] {2, 4}, VALUES)
                .add("b.f16", "F16", new long[] {8}, VALUES)
                .add("c.bf16", "BF16", new long[] {4, 2}, VALUES)
                .addLongs("d.i64", new long[] {3}, new long[] {0, -5, 1L << 40})
                .metadata(Map.of("format", "pt"))
                .write(f);
        try (Weights w = Weights.open(dir); NDManager m = NDManager.newBaseManager()) {
            assertThat(w.names()).containsExactlyInAnyOrder("a.f32", "b.f16", "c.bf16", "d.i64");
            assertThat(w.shape("c.bf16")).containsExactly(4, 2);
            assertThat(w.dtype("b.f16")).isEqualTo("F16");

            NDArray a = w.get(m, "a.f32", 2, 4);
            assertThat(a.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(a.toFloatArray()).containsExactly(VALUES);

            NDArray b = w.get(m, "b.f16");
            assertThat(b.getDataType()).isEqualTo(DataType.FLOAT32);
            float[] bv = b.toFloatArray();
            // all but 1e-7 (subnormal in fp16 → nearest 2^-24 multiple) and 0.1 are exact in fp16
            for (int i = 0; i < 6; i++) {
                assertThat(bv[i]).isEqualTo(VALUES[i]);
            }
            assertThat(bv[6]).isEqualTo(2 * 0x1p-24f);
            assertThat(bv[7]).isEqualTo(0.0999755859375f);

            NDArray c = w.get(m, "c.bf16", 4, 2);
            assertThat(c.getDataType()).isEqualTo(DataType.FLOAT32);
            float[] cv = c.toFloatArray();
            assertThat(cv[0]).isEqualTo(0f);
            assertThat(cv[1]).isEqualTo(1f);
            assertThat(cv[2]).isEqualTo(-2.5f);
            assertThat(cv[3]).isEqualTo(3.140625f);
            assertThat(cv[4]).isEqualTo(65536f); // 65504 rounds to 2^16 in bfloat16
            assertThat(cv[7]).isEqualTo(0.10009765625f);

            NDArray d = w.get(m, "d.i64");
            assertThat(d.getDataType()).isEqualTo(DataType.INT64);
            assertThat(d.toLongArray()).containsExactly(0, -5, 1L << 40);
        }
        try (SafetensorsFile sf = SafetensorsFile.open(f)) {
            assertThat(sf.metadata()).containsEntry("format", "pt");
        }
    }

    @Test
    void tensorsAreIndependentOfTheMappedFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("w", "F32", new long[] {8}, VALUES).add("h", "F16", new long[] {8}, VALUES).write(f);
        try (Weights w = Weights.open(dir); NDManager m = NDManager.newBaseManager()) {
            // in place on a tensor read from a read-only mapping must neither crash nor change later reads
            NDArray a = w.get(m, "w");
            a.addi(1f);
            w.get(m, "h").muli(2f);
            assertThat(w.get(m, "w").toFloatArray()).containsExactly(VALUES);
            assertThat(a.getFloat(1)).isEqualTo(2f);
        }
    }

    @Test
    void mappingsAndConversionBuffersAreFreedAtOnceAndTensorsStayIntact() throws IOException {
        // the load path frees each tensor's file mapping (and F16/BF16 conversion buffer) right after the copy
        // into libtorch; the copies must keep their values after the source memory is gone
        assertThat(DirectBuffers.eager()).as("sun.misc.Unsafe#invokeCleaner reachable (jdk.unsupported)").isTrue();
        int n = 1 << 16;
        float[] big = new float[n];
        for (int i = 0; i < n; i++) {
            big[i] = (i % 97) * 0.25f - 12f;
        }
        Path f = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("f32", "F32", new long[] {256, 256}, big).add("f16", "F16", new long[] {n}, big)
                .add("bf16", "BF16", new long[] {n}, big).write(f);
        try (Weights w = Weights.open(dir); NDManager m = NDManager.newBaseManager()) {
            java.util.List<NDArray> kept = new java.util.ArrayList<>();
            for (int r = 0; r < 20; r++) {
                kept.add(w.get(m, "f32", 256, 256));
                kept.add(w.get(m, "f16"));
                kept.add(w.get(m, "bf16"));
            }
            for (NDArray a : kept) {
                assertThat(a.toFloatArray()).containsExactly(big); // all values exact in fp16 and bf16
            }
        }
    }

    @Test
    void halfConversionsMatchIeee() {
        for (float v : new float[] {0f, -0f, 1f, -1f, 0.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
            assertThat(Half.toFloat(Half.fromFloat(v))).isEqualTo(v);
        }
        assertThat(Half.toFloat((short) 0x3c00)).isEqualTo(1f);
        assertThat(Half.toFloat((short) 0xc000)).isEqualTo(-2f);
        assertThat(Half.toFloat((short) 0x7c00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float.isNaN(Half.toFloat((short) 0x7e00))).isTrue();
        assertThat(Half.fromFloat(1e6f)).isEqualTo((short) 0x7c00);
        assertThat(Half.bfloat16ToFloat((short) 0x3f80)).isEqualTo(1f);
    }

    @Test
    void missingAndMisShapedTensorsNameTensorAndFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("w", "F32", new long[] {2, 4}, VALUES).write(f);
        try (Weights w = Weights.open(dir); NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> w.get(m, "nope"))
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("'nope'").hasMessageContaining("model.safetensors");
            assertThatThrownBy(() -> w.get(m, "w", 4, 2))
                    .isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("'w'").hasMessageContaining("[2, 4]").hasMessageContaining("[4, 2]")
                    .hasMessageContaining("model.safetensors");
        }
    }

    @Test
    void shardedIndexIsFollowed() throws IOException {
        new SafetensorsWriter().add("x.weight", "F32", new long[] {2}, new float[] {1, 2})
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().add("y.weight", "F16", new long[] {1}, new float[] {3})
                .add("z.weight", "F32", new long[] {1}, new float[] {4})
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), """
                {"metadata": {"total_size": 16}, "weight_map": {
                  "x.weight": "model-00001-of-00002.safetensors",
                  "y.weight": "model-00002-of-00002.safetensors",
                  "z.weight": "model-00002-of-00002.safetensors"}}""");
        try (Weights w = Weights.open(dir); NDManager m = NDManager.newBaseManager()) {
            assertThat(w.names()).containsExactly("x.weight", "y.weight", "z.weight");
            assertThat(w.get(m, "x.weight").toFloatArray()).containsExactly(1, 2);
            assertThat(w.get(m, "y.weight").toFloatArray()).containsExactly(3);
            assertThat(w.get(m, "z.weight").toFloatArray()).containsExactly(4);
        }
    }

    @Test
    void shardedIndexPointingAtMissingShardFails() throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"x\": \"gone.safetensors\"}}");
        assertThatThrownBy(() -> Weights.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("gone.safetensors").hasMessageContaining("'x'");
    }

    @Test
    void folderWithoutWeightsIsRejected() throws IOException {
        Files.writeString(dir.resolve("pytorch_model.bin"), "x");
        assertThatThrownBy(() -> Weights.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("pytorch_model.bin");
        assertThatThrownBy(() -> Weights.open(dir.resolve("absent"))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("absent");
    }

    @Test
    void headerLengthBeyondFileIsRejected() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).putLong(0);
        Files.write(f, b.array());
        assertThatThrownBy(() -> Weights.open(f)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("bad.safetensors").hasMessageContaining("header length");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2});
        assertThatThrownBy(() -> Weights.open(tiny)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("tiny.safetensors");
    }

    @Test
    void offsetsOutOfRangeAreRejected() throws IOException {
        Path f = rawFile("off.safetensors", "{\"t\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
        assertThatThrownBy(() -> Weights.open(f)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'t'").hasMessageContaining("off.safetensors").hasMessageContaining("data_offsets");
    }

    @Test
    void shapeDtypeByteCountMismatchIsRejected() throws IOException {
        Path f = rawFile("lie.safetensors", "{\"t\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertThatThrownBy(() -> Weights.open(f)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("'t'").hasMessageContaining("lie.safetensors").hasMessageContaining("6 bytes");
    }

    @Test
    void garbageJsonAndUnsupportedDtypeAreRejected() throws IOException {
        Path g = rawFile("garbage.safetensors", "{not json", 0);
        assertThatThrownBy(() -> Weights.open(g)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("garbage.safetensors");
        Path u = rawFile("u8.safetensors", "{\"t\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
        try (Weights w = Weights.open(u); NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> w.get(m, "t")).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining("'t'").hasMessageContaining("U8");
        }
    }

    @Test
    void opensFixtureVae() {
        Path vae = Path.of(System.getProperty("fixtures.dir"), "models", "tiny-sd", "vae");
        try (Weights w = Weights.open(vae); NDManager m = NDManager.newBaseManager()) {
            assertThat(w.has("decoder.conv_in.weight")).isTrue();
            assertThat(w.shape("decoder.conv_in.weight")).containsExactly(64, 4, 3, 3);
            assertThat(w.get(m, "encoder.conv_in.weight", 32, 3, 3, 3).getShape().size()).isEqualTo(32 * 27);
        }
    }

    private Path rawFile(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }
}
