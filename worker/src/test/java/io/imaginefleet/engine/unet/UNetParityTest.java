package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.io.Npy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code unet__*} golden case of the sd-tiny fixtures (diffusers 0.27.2): the three tiny UNets (4, 9 and 7
 * input channels, the last with the noise-level class embedding), integer and float timesteps. Tolerance as the
 * fixture README suggests: max|Δ| ≤ 1e-4·max|ref| + 1e-5, and relative L2 ≤ 1e-4.
 */
class UNetParityTest {
    private static final Path FIXTURES = Path.of(System.getProperty("fixtures.dir", "src/test/fixtures/sd-tiny"));
    private static final Map<String, UNet2DConditionModel> MODELS = new HashMap<>();

    @AfterAll
    static void closeModels() {
        MODELS.values().forEach(UNet2DConditionModel::close);
    }

    private static UNet2DConditionModel model(String name) {
        return MODELS.computeIfAbsent(name,
                n -> UNet2DConditionModel.load(FIXTURES.resolve("models").resolve(n).resolve("unet"), EngineOptions.cpu()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"unet__tiny-sd__0", "unet__tiny-sd__1", "unet__tiny-sd-inpaint__0",
        "unet__tiny-sd-inpaint__1", "unet__tiny-sd-x4-upscaler__0", "unet__tiny-sd-x4-upscaler__1"})
    void matchesDiffusers(String id) throws Exception {
        JsonNode c = caseById(id);
        UNet2DConditionModel unet = model(c.get("model").asText());
        JsonNode in = c.get("inputs");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray sample = Npy.read(m, FIXTURES.resolve(in.get("sample").get("file").asText()));
            NDArray ehs = Npy.read(m, FIXTURES.resolve(in.get("encoder_hidden_states").get("file").asText()));
            long b = sample.getShape().get(0);
            NDArray t = m.full(new ai.djl.ndarray.types.Shape(b), (float) in.get("timestep").asDouble());
            NDArray labels = in.has("class_labels")
                    ? Npy.read(m, FIXTURES.resolve(in.get("class_labels").get("file").asText())) : null;
            NDArray ref = Npy.read(m, FIXTURES.resolve(c.get("outputs").get("sample").get("file").asText()));

            NDArray out = unet.forward(sample, t, ehs, labels);

            assertThat(out.getShape()).isEqualTo(ref.getShape());
            assertThat(out.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(out.getManager()).isSameAs(m);
            float maxRef = ref.abs().max().getFloat();
            float maxDiff = out.sub(ref).abs().max().getFloat();
            float relL2 = out.sub(ref).norm().getFloat() / ref.norm().getFloat();
            System.out.printf("%s: max|d|=%.3e (max|ref|=%.3f, limit %.3e) relL2=%.3e%n", id, maxDiff, maxRef,
                    1e-4 * maxRef + 1e-5, relL2);
            assertThat(maxDiff).as("max |out - ref| of %s", id).isLessThanOrEqualTo((float) (1e-4 * maxRef + 1e-5));
            assertThat(relL2).as("relative L2 error of %s", id).isLessThanOrEqualTo(1e-4f);
        }
    }

    /** The same numbers on the fallback path (composed GroupNorm/SiLU/GEGLU, sliced attention). */
    @ParameterizedTest
    @ValueSource(strings = {"unet__tiny-sd__1", "unet__tiny-sd-x4-upscaler__0"})
    void matchesDiffusersWithoutFusedOps(String id) throws Exception {
        System.setProperty("imaginefleet.fusedOps", "false");
        try {
            matchesDiffusers(id);
        } finally {
            System.clearProperty("imaginefleet.fusedOps");
        }
    }

    private static JsonNode caseById(String id) throws Exception {
        JsonNode manifest = new ObjectMapper().enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature()).readTree(FIXTURES.resolve("manifest.json").toFile());
        for (JsonNode c : manifest.get("cases")) {
            if (c.get("id").asText().equals(id)) {
                return c;
            }
        }
        throw new IllegalStateException("no case " + id + " in " + FIXTURES);
    }
}
