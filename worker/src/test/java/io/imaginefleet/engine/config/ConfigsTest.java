package io.imaginefleet.engine.config;

import io.imaginefleet.engine.io.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigsTest {
    private static final Path MODELS = Path.of(System.getProperty("fixtures.dir"), "models");

    @TempDir
    Path dir;

    @Test
    void readsVaeConfigsWithSnakeCaseNames() {
        VaeConfig c = Configs.read(MODELS.resolve("tiny-sd/vae/config.json"), VaeConfig.class);
        assertThat(c.blockOutChannels()).containsExactly(32, 64);
        assertThat(c.layersPerBlock()).isEqualTo(2);
        assertThat(c.latentChannels()).isEqualTo(4);
        assertThat(c.normNumGroups()).isEqualTo(32);
        assertThat(c.scalingFactor()).isEqualTo(0.18215);
        assertThat(c.sampleSize()).isEqualTo(64);
        assertThat(c.forceUpcast()).isTrue();
        assertThat(c.spatialFactor()).isEqualTo(2);

        VaeConfig x4 = Configs.read(MODELS.resolve("tiny-sd-x4-upscaler/vae/config.json"), VaeConfig.class);
        assertThat(x4.blockOutChannels()).containsExactly(32, 64, 64);
        assertThat(x4.scalingFactor()).isEqualTo(0.08333);
        assertThat(x4.spatialFactor()).isEqualTo(4);
    }

    @Test
    void missingFieldsGetDiffusersDefaultsAndBadOnesAreNamed() throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"_class_name\": \"AutoencoderKL\", \"block_out_channels\": [64, 128], \"extra\": 1}");
        VaeConfig c = Configs.read(f, VaeConfig.class);
        assertThat(c.layersPerBlock()).isEqualTo(1);
        assertThat(c.normNumGroups()).isEqualTo(32);
        assertThat(c.scalingFactor()).isEqualTo(0.18215);

        Files.writeString(f, "{\"block_out_channels\": [30]}");
        assertThatThrownBy(() -> Configs.read(f, VaeConfig.class)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json").hasMessageContaining("norm_num_groups");
        Files.writeString(f, "{\"block_out_channels\": ");
        assertThatThrownBy(() -> Configs.read(f, VaeConfig.class)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("config.json");
        assertThatThrownBy(() -> Configs.read(dir.resolve("none.json"), VaeConfig.class))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("none.json");
    }

    @Test
    void readsModelIndex() {
        ModelIndex idx = ModelIndex.read(MODELS.resolve("tiny-sd"));
        assertThat(idx.className()).isEqualTo("StableDiffusionPipeline");
        assertThat(idx.components()).containsKeys("vae", "unet", "text_encoder", "tokenizer", "scheduler");
        assertThat(idx.has("safety_checker")).isFalse();
        assertThat(idx.components().get("vae")).isEqualTo(new ModelIndex.Component("diffusers", "AutoencoderKL"));
        assertThat(idx.attributes().get("requires_safety_checker").asBoolean()).isFalse();

        ModelIndex x4 = ModelIndex.read(MODELS.resolve("tiny-sd-x4-upscaler"));
        assertThat(x4.has("low_res_scheduler")).isTrue();
    }
}
