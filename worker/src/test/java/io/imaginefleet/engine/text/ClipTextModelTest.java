package io.imaginefleet.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.io.ModelFormatException;
import io.imaginefleet.engine.io.Npy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parity of {@link ClipTextModel} with transformers' CLIPTextModel on the tiny fixture encoders. */
class ClipTextModelTest {

    private static Path fixtures;
    private static ClipTextModel tinySd;
    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void load() {
        fixtures = Path.of(System.getProperty("fixtures.dir", "src/test/fixtures/sd-tiny"));
        tinySd = ClipTextModel.load(fixtures.resolve("models/tiny-sd/text_encoder"), EngineOptions.cpu());
        tokenizer = ClipTokenizer.load(fixtures.resolve("models/tiny-sd/tokenizer")); // the x4 folder links to it
    }

    @AfterAll
    static void close() {
        tinySd.close();
    }

    @Test
    void tinySdMatchesTransformers() throws IOException {
        assertParity("text_encoder__tiny-sd", tinySd);
    }

    @Test
    void tinySdX4UpscalerMatchesTransformers() throws IOException {
        try (ClipTextModel x4 = ClipTextModel.load(fixtures.resolve("models/tiny-sd-x4-upscaler/text_encoder"), EngineOptions.cpu())) {
            assertParity("text_encoder__tiny-sd-x4-upscaler", x4);
        }
    }

    private static void assertParity(String caseId, ClipTextModel model) throws IOException {
        JsonNode c = TextFixtures.fixtureCase(fixtures, caseId);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray ids = Npy.read(manager, fixtures.resolve(c.at("/inputs/input_ids/file").asText()));
            // the tokenizer reproduces the ids the reference fed the encoder
            long[] expectedIds = ids.toLongArray();
            JsonNode prompts = c.at("/inputs/prompts");
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(tokenizer.encode(prompts.get(i).asText())).isEqualTo(Arrays.copyOfRange(expectedIds, i * 77, (i + 1) * 77));
            }
            ClipTextModel.Output out = model.encode(ids);
            float[] hidden = out.lastHiddenState().toFloatArray();
            float[] pooled = out.pooled().toFloatArray();
            assertThat(out.lastHiddenState().getShape()).isEqualTo(new Shape(5, 77, 32));
            assertThat(out.pooled().getShape()).isEqualTo(new Shape(5, 32));
            assertClose(caseId + " last_hidden_state", hidden, Npy.readFloats(fixtures.resolve(c.at("/outputs/last_hidden_state/file").asText())));
            assertClose(caseId + " pooler_output", pooled, Npy.readFloats(fixtures.resolve(c.at("/outputs/pooler_output/file").asText())));
            assertThat(out.lastHiddenState().getManager()).isSameAs(manager);
        }
    }

    static void assertClose(String what, float[] got, float[] ref) {
        assertThat(got).as(what + " size").hasSameSizeAs(ref);
        double maxAbs = 0;
        double maxRef = 0;
        double diff2 = 0;
        double ref2 = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs((double) got[i] - ref[i]);
            maxAbs = Math.max(maxAbs, d);
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            diff2 += d * d;
            ref2 += (double) ref[i] * ref[i];
        }
        double relL2 = Math.sqrt(diff2 / ref2);
        System.out.printf("%s: max|d|=%.3g (max|ref|=%.3g, bound %.3g), relL2=%.3g%n", what, maxAbs, maxRef, 1e-4 * maxRef + 1e-5, relL2);
        assertThat(maxAbs).as(what + " max|Δ|").isLessThanOrEqualTo(1e-4 * maxRef + 1e-5);
        assertThat(relL2).as(what + " relative L2").isLessThanOrEqualTo(1e-4);
    }

    @Test
    void clipSkipTakesAnEarlierLayerThroughTheFinalNormAndKeepsThePooledOutput() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray ids = manager.create(tokenizer.encode("a photograph of an astronaut"), new Shape(1, 77));
            ClipTextModel.Output full = tinySd.encode(ids);
            ClipTextModel.Output skip1 = tinySd.encode(ids, 1);
            ClipTextModel.Output skip4 = tinySd.encode(ids, 4);
            assertThat(skip1.pooled().toFloatArray()).containsExactly(full.pooled().toFloatArray());
            assertThat(maxDiff(full.lastHiddenState(), skip1.lastHiddenState())).isGreaterThan(1e-2);
            assertThat(maxDiff(skip1.lastHiddenState(), skip4.lastHiddenState())).isGreaterThan(1e-2);
            // final LayerNorm applied: each position has ~zero mean before the affine part is undone, so check shape and finiteness
            assertThat(skip4.lastHiddenState().getShape()).isEqualTo(new Shape(1, 77, 32));
            assertThat(skip4.lastHiddenState().isNaN().any().getBoolean()).isFalse();
            assertThatThrownBy(() -> tinySd.encode(ids, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clipSkip");
            assertThatThrownBy(() -> tinySd.encode(ids, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("clipSkip");
        }
    }

    private static double maxDiff(NDArray a, NDArray b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    @Test
    void repeatedCallsLeaveNothingBehindInTheWeightsOrCallerManagers() {
        int weightArrays = tinySd.weightsManager().getManagedArrays().size();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray ids = manager.create(new long[2 * 77], new Shape(2, 77)).addi(320);
            int callerBefore = manager.getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                try (NDManager call = manager.newSubManager()) {
                    NDArray callIds = ids.duplicate();
                    callIds.attach(call);
                    ClipTextModel.Output out = tinySd.encode(callIds, i % 2);
                    assertThat(call.getManagedArrays()).containsExactlyInAnyOrder(callIds, out.lastHiddenState(), out.pooled());
                }
            }
            assertThat(manager.getManagedArrays()).hasSize(callerBefore);
        }
        assertThat(tinySd.weightsManager().getManagedArrays()).hasSize(weightArrays);
    }

    @Test
    void concurrentCallsGiveTheSameResultsAsSequentialOnes() throws Exception {
        String[] prompts = {"a cat", "a dog on a skateboard", "", "castle on a hill at sunset, highly detailed"};
        float[][] sequential = new float[prompts.length][];
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int i = 0; i < prompts.length; i++) {
                sequential[i] = tinySd.encode(manager.create(tokenizer.encode(prompts[i]), new Shape(1, 77))).lastHiddenState().toFloatArray();
            }
        }
        int weightArrays = tinySd.weightsManager().getManagedArrays().size();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<float[]>> futures = new java.util.ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (String prompt : prompts) {
                    futures.add(pool.submit(() -> {
                        try (NDManager manager = NDManager.newBaseManager()) {
                            return tinySd.encode(manager.create(tokenizer.encode(prompt), new Shape(1, 77))).lastHiddenState().toFloatArray();
                        }
                    }));
                }
            }
            for (int k = 0; k < futures.size(); k++) {
                assertThat(futures.get(k).get()).containsExactly(sequential[k % prompts.length]);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(tinySd.weightsManager().getManagedArrays()).hasSize(weightArrays);
    }

    @Test
    void badInputIdsAreRejectedWithClearMessages() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> tinySd.encode(manager.create(new long[77], new Shape(77))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[batch, length]");
            assertThatThrownBy(() -> tinySd.encode(manager.create(new long[78], new Shape(1, 78))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_position_embeddings");
            assertThatThrownBy(() -> tinySd.encode(manager.create(new long[]{49406, 49408}, new Shape(1, 2))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("49408");
            assertThatThrownBy(() -> tinySd.encode(manager.create(new float[]{1f}, new Shape(1, 1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("INT64");
            // INT32 ids and shorter sequences are accepted
            ClipTextModel.Output out = tinySd.encode(manager.create(new int[]{49406, 320, 49407}, new Shape(1, 3)));
            assertThat(out.lastHiddenState().getShape()).isEqualTo(new Shape(1, 3, 32));
            assertThat(out.lastHiddenState().getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }

    @Test
    void pooledOutputUsesArgmaxForLegacyConfigsAndTheFirstEosOtherwise(@TempDir Path dir) throws IOException {
        Path te = fixtures.resolve("models/tiny-sd/text_encoder");
        Files.createSymbolicLink(dir.resolve("model.safetensors"), te.resolve("model.safetensors").toAbsolutePath());
        Files.writeString(dir.resolve("config.json"),
                Files.readString(te.resolve("config.json")).replace("\"eos_token_id\": 2,", "\"eos_token_id\": 49407,"));
        try (ClipTextModel modern = ClipTextModel.load(dir, EngineOptions.cpu()); NDManager manager = NDManager.newBaseManager()) {
            assertThat(modern.config().legacyPooling()).isFalse();
            // no eos at all: legacy takes the largest id (position 1), the eos rule falls back to position 0
            NDArray ids = manager.create(new long[]{320, 2368, 1929, 49407, 49407}, new Shape(1, 5));
            NDArray noEos = manager.create(new long[]{320, 2368, 1929}, new Shape(1, 3));
            ClipTextModel.Output legacy = tinySd.encode(noEos);
            ClipTextModel.Output byEos = modern.encode(noEos);
            assertThat(legacy.pooled().get(0).toFloatArray()).containsExactly(legacy.lastHiddenState().get(0, 1).toFloatArray());
            assertThat(byEos.pooled().get(0).toFloatArray()).containsExactly(byEos.lastHiddenState().get(0, 0).toFloatArray());
            // with eos present both pick its first occurrence
            ClipTextModel.Output a = tinySd.encode(ids);
            ClipTextModel.Output b = modern.encode(ids);
            assertThat(a.pooled().get(0).toFloatArray()).containsExactly(a.lastHiddenState().get(0, 3).toFloatArray());
            assertThat(b.pooled().get(0).toFloatArray()).containsExactly(b.lastHiddenState().get(0, 3).toFloatArray());
        }
    }

    @Test
    void float16OptionsComputeInHalfPrecisionCloseToTheReference() throws IOException {
        // the GPU path's dtype handling (fp16 weights, mask and activations), exercised on the CPU
        JsonNode c = TextFixtures.fixtureCase(fixtures, "text_encoder__tiny-sd");
        EngineOptions half = new EngineOptions(ai.djl.Device.cpu(), DataType.FLOAT16, EngineOptions.DEFAULT_ATTENTION_BUDGET);
        try (ClipTextModel model = ClipTextModel.load(fixtures.resolve("models/tiny-sd/text_encoder"), half);
             NDManager manager = NDManager.newBaseManager()) {
            NDArray ids = Npy.read(manager, fixtures.resolve(c.at("/inputs/input_ids/file").asText()));
            ClipTextModel.Output out = model.encode(ids);
            assertThat(out.lastHiddenState().getDataType()).isEqualTo(DataType.FLOAT16);
            float[] got = out.lastHiddenState().toType(DataType.FLOAT32, false).toFloatArray();
            float[] ref = Npy.readFloats(fixtures.resolve(c.at("/outputs/last_hidden_state/file").asText()));
            double maxAbs = 0;
            for (int i = 0; i < ref.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(got[i] - ref[i]));
            }
            System.out.printf("fp16 last_hidden_state max|d|=%.3g%n", maxAbs);
            assertThat(maxAbs).as("fp16 max|Δ|").isLessThan(0.02);
        }
    }

    @Test
    void activationsMatchTheirDefinitions() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[]{1f, -1f, 2.5f});
            // x * Phi(x) (erf form), its tanh approximation, and x * sigmoid(1.702 x)
            assertThat(ClipTextModel.activation("gelu", x).toFloatArray())
                    .containsExactly(new float[]{0.8413447f, -0.1586553f, 2.4844758f}, org.assertj.core.data.Offset.offset(2e-6f));
            assertThat(ClipTextModel.activation("gelu_new", x).toFloatArray())
                    .containsExactly(new float[]{0.8411920f, -0.1588080f, 2.4849157f}, org.assertj.core.data.Offset.offset(2e-6f));
            assertThat(ClipTextModel.activation("quick_gelu", x).toFloatArray())
                    .containsExactly(new float[]{(float) (1 / (1 + Math.exp(-1.702))), (float) (-1 / (1 + Math.exp(1.702))),
                            (float) (2.5 / (1 + Math.exp(-1.702 * 2.5)))}, org.assertj.core.data.Offset.offset(2e-6f));
        }
    }

    @Test
    void missingTensorOrBadConfigNamesTheFile(@TempDir Path dir) throws IOException {
        Path te = fixtures.resolve("models/tiny-sd/text_encoder");
        Files.copy(te.resolve("config.json"), dir.resolve("config.json"));
        assertThatThrownBy(() -> ClipTextModel.load(dir, EngineOptions.cpu())).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(dir.toString());
        Files.writeString(dir.resolve("config.json"), Files.readString(te.resolve("config.json")).replace("quick_gelu", "swish"));
        assertThatThrownBy(() -> ClipTextConfig.read(dir.resolve("config.json"))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("hidden_act").hasMessageContaining("config.json");
    }
}
