package io.imaginefleet.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imaginefleet.engine.io.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The random-weight writer produces safetensors the engine's reader accepts, with the declared shapes and init. */
class RandomModelTest {

    @TempDir
    Path tmp;

    @Test
    void writesReadableSafetensorsWithLecunInit() throws Exception {
        // a small UNet config through the same path as the full-size ones
        ObjectNode cfg = (ObjectNode) RandomModel.unetConfig("sd15").deepCopy();
        ArrayNode blocks = cfg.putArray("block_out_channels");
        blocks.add(32).add(64).add(64).add(64);
        cfg.put("cross_attention_dim", 32);
        Map<String, long[]> shapes = ModelShapes.unet(cfg);
        Path file = tmp.resolve("diffusion_pytorch_model.safetensors");
        RandomModel.writeSafetensors(file, shapes, 1);
        try (Weights w = Weights.open(tmp);
             ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            assertThat(w.names()).containsExactlyInAnyOrderElementsOf(shapes.keySet());
            float[] conv = w.get(m, "down_blocks.1.resnets.0.conv1.weight", 64, 32, 3, 3).toFloatArray();
            double var = 0;
            for (float v : conv) {
                var += v * v;
            }
            assertThat(var / conv.length).isBetween(0.8 / 288, 1.2 / 288); // N(0, 1/fan_in), fan_in = 32*3*3
            float[] norm = w.get(m, "conv_norm_out.weight", 32).toFloatArray();
            double mean = 0;
            for (float v : norm) {
                mean += v;
            }
            assertThat(mean / norm.length).isBetween(0.9, 1.1);
        }
        JsonNode sd2 = RandomModel.unetConfig("sd2");
        assertThat(sd2.get("use_linear_projection").asBoolean()).isTrue();
        assertThat(ModelShapes.count(ModelShapes.unet(RandomModel.unetConfig("x4-upscaler")))).isGreaterThan(400_000_000L);
    }
}
