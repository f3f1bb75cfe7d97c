package io.imaginefleet.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.imaginefleet.engine.config.Configs;
import io.imaginefleet.engine.io.Weights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The shapes init-random writes are exactly those of real diffusers/transformers modules built from the same config. */
class ModelShapesTest {

    static Path models() {
        return Path.of(System.getProperty("fixtures.dir")).resolve("models");
    }

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({"tiny-sd,unet", "tiny-sd,vae", "tiny-sd,text_encoder", "tiny-sd-inpaint,unet",
            "tiny-sd-x4-upscaler,unet", "tiny-sd-x4-upscaler,vae", "tiny-sd-x4-upscaler,text_encoder"})
    void shapesFromTheConfigEqualTheFixtureWeights(String model, String component) {
        Path dir = models().resolve(model).resolve(component);
        JsonNode config = Configs.readTree(dir.resolve("config.json"));
        Function<JsonNode, Map<String, long[]>> spec = switch (component) {
            case "unet" -> ModelShapes::unet;
            case "vae" -> ModelShapes::vae;
            default -> ModelShapes::clipText;
        };
        Map<String, String> expected = new TreeMap<>();
        try (Weights w = Weights.open(dir)) {
            for (String name : w.names()) {
                if (!name.endsWith("position_ids")) {
                    expected.put(name, java.util.Arrays.toString(w.shape(name)));
                }
            }
        }
        Map<String, String> actual = new TreeMap<>();
        spec.apply(config).forEach((k, v) -> actual.put(k, java.util.Arrays.toString(v)));
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void fullSizeParameterCountsMatchTheRealModels() {
        // counts from the fixture README (diffusers 0.27 / transformers 4.39 instantiations of the SD 1.5 configs)
        assertThat(ModelShapes.count(ModelShapes.unet(RandomModel.unetConfig("sd15")))).isEqualTo(859_520_964L);
        assertThat(ModelShapes.count(ModelShapes.vae(RandomModel.vaeConfig("sd15")))).isEqualTo(83_653_863L);
        assertThat(ModelShapes.count(ModelShapes.clipText(RandomModel.textConfig("sd15")))).isEqualTo(123_060_480L);
    }
}
