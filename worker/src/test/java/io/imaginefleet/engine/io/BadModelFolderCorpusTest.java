package io.imaginefleet.engine.io;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.pipeline.StableDiffusion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad-input corpus, model folders: a copy of the tiny fixture model broken in one way each, loaded whole with
 * {@link StableDiffusion#load}. Each must fail with a {@link ModelFormatException} naming the file (and the tensor,
 * where one is at fault) — never a NullPointerException, a JVM abort or a half-loaded model.
 */
class BadModelFolderCorpusTest {
    interface Breakage {
        void apply(Path model) throws IOException;
    }

    @TempDir
    Path tmp;

    static Stream<Arguments> corpus() {
        return Stream.of(
                Arguments.of("folder does not exist", (Breakage) m -> deleteTree(m), List.of("does not exist")),
                Arguments.of("empty folder", (Breakage) m -> {
                    deleteTree(m);
                    Files.createDirectories(m);
                }, List.of("not a diffusers model folder")),
                Arguments.of("unet config.json missing", (Breakage) m -> Files.delete(m.resolve("unet/config.json")),
                        List.of("unet", "config.json")),
                Arguments.of("unet config.json not JSON", (Breakage) m -> Files.writeString(m.resolve("unet/config.json"), "{oops"),
                        List.of("unet", "config.json")),
                Arguments.of("vae config field of the wrong type", (Breakage) m -> replaceIn(m.resolve("vae/config.json"),
                        "\"latent_channels\": 4", "\"latent_channels\": \"four\""), List.of("vae", "config.json")),
                Arguments.of("scheduler config missing", (Breakage) m -> Files.delete(m.resolve("scheduler/scheduler_config.json")),
                        List.of("scheduler_config.json")),
                Arguments.of("tokenizer vocab missing", (Breakage) m -> Files.delete(m.resolve("tokenizer/vocab.json")),
                        List.of("vocab.json")),
                Arguments.of("vae weights missing", (Breakage) m -> Files.delete(m.resolve("vae/diffusion_pytorch_model.safetensors")),
                        List.of("vae")),
                Arguments.of("unet weights truncated", (Breakage) m -> truncate(m.resolve("unet/diffusion_pytorch_model.safetensors")),
                        List.of("diffusion_pytorch_model.safetensors")),
                Arguments.of("safetensors header length lies", (Breakage) m -> lieAboutHeader(m.resolve("vae/diffusion_pytorch_model.safetensors")),
                        List.of("diffusion_pytorch_model.safetensors", "header length")),
                Arguments.of("safetensors header not JSON", (Breakage) m -> garbleHeader(m.resolve("unet/diffusion_pytorch_model.safetensors")),
                        List.of("diffusion_pytorch_model.safetensors")),
                Arguments.of("text encoder tensor missing", (Breakage) m -> rewrite(m.resolve("text_encoder/model.safetensors"),
                        "text_model.final_layer_norm.weight", null), List.of("text_model.final_layer_norm.weight", "model.safetensors")),
                Arguments.of("unet tensor of the wrong shape", (Breakage) m -> rewrite(m.resolve("unet/diffusion_pytorch_model.safetensors"),
                        "conv_in.weight", "flatten"), List.of("conv_in.weight", "diffusion_pytorch_model.safetensors")),
                Arguments.of("vae tensor missing", (Breakage) m -> rewrite(m.resolve("vae/diffusion_pytorch_model.safetensors"),
                        "decoder.conv_out.weight", null), List.of("decoder.conv_out.weight", "diffusion_pytorch_model.safetensors")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void brokenModelFolderFailsNamingFileAndTensor(String name, Breakage breakage, List<String> expected) throws IOException {
        Path model = tmp.resolve("tiny-sd");
        copyTree(Path.of(System.getProperty("fixtures.dir"), "models", "tiny-sd"), model);
        breakage.apply(model);
        var thrown = assertThatThrownBy(() -> StableDiffusion.load(model, EngineOptions.cpu()).close())
                .as(name).isInstanceOf(ModelFormatException.class);
        for (String e : expected) thrown.hasMessageContaining(e);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.delete(p);
        }
    }

    static void replaceIn(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        if (!text.contains(from)) throw new IllegalStateException(file + " has no " + from);
        Files.writeString(file, text.replace(from, to));
    }

    static void truncate(Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.truncate(c.size() / 2);
        }
    }

    static void lieAboutHeader(Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40), 0);
        }
    }

    static void garbleHeader(Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap("#!garbage".getBytes()), 8);
        }
    }

    /** Writes the file again without {@code tensor} (mode null) or with it flattened to one dimension. */
    static void rewrite(Path file, String tensor, String mode) {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
            if (!f.entries().containsKey(tensor)) throw new IllegalStateException(file + " has no " + tensor);
            for (Map.Entry<String, SafetensorsFile.Entry> e : f.entries().entrySet()) {
                SafetensorsFile.Entry en = e.getValue();
                float[] values = f.read(m, e.getKey()).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                long[] shape = en.shape();
                if (e.getKey().equals(tensor)) {
                    if (mode == null) continue;
                    shape = new long[] {Arrays.stream(shape).reduce(1, (a, b) -> a * b)};
                }
                w.add(e.getKey(), "BF16".equals(en.dtype()) ? "F32" : en.dtype(), shape, values);
            }
        }
        try {
            w.write(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
