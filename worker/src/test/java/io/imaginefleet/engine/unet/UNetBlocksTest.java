package io.imaginefleet.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.config.Configs;
import io.imaginefleet.engine.io.ModelFormatException;
import io.imaginefleet.engine.io.Weights;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Config resolution, the timestep projection, odd latent sizes, FLOP counting and error texts of the UNet. */
class UNetBlocksTest {
    private static final Path FIXTURES = Path.of(System.getProperty("fixtures.dir", "src/test/fixtures/sd-tiny"));
    private static final Path TINY = FIXTURES.resolve("models/tiny-sd/unet");
    private static final Path X4 = FIXTURES.resolve("models/tiny-sd-x4-upscaler/unet");

    private static UNetConfig config(String json) {
        return Configs.convert(Configs.mapper().valueToTree(parse(json)), UNetConfig.class, "test config");
    }

    private static JsonNode parse(String json) {
        try {
            return Configs.mapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void attentionHeadDimIsTheHeadCountUnlessNumAttentionHeadsIsSet() {
        UNetConfig sd15 = config(UNetBench.SD15);
        assertThat(sd15.numAttentionHeadsPerBlock()).containsExactly(8, 8, 8, 8);
        UNetConfig sd2 = config("{\"attention_head_dim\": [5, 10, 20, 20], \"use_linear_projection\": true}");
        assertThat(sd2.numAttentionHeadsPerBlock()).containsExactly(5, 10, 20, 20);
        assertThat(sd2.useLinearProjection()).isTrue();
        UNetConfig explicit = config("{\"attention_head_dim\": 64, \"num_attention_heads\": [4, 4, 8, 8]}");
        assertThat(explicit.numAttentionHeadsPerBlock()).containsExactly(4, 4, 8, 8);
    }

    @Test
    void onlyCrossAttentionAcceptsBoolOrList() {
        UNetConfig x4 = UNetConfig.read(X4.resolve("config.json"));
        assertThat(x4.onlyCrossAttentionPerBlock()).containsExactly(true, true, false);
        assertThat(config("{\"only_cross_attention\": true}").onlyCrossAttentionPerBlock()).containsOnly(true);
        assertThat(config("{}").onlyCrossAttentionPerBlock()).containsOnly(false);
        assertThat(config("{}").crossAttentionDimPerBlock()).containsOnly(1280);
    }

    @Test
    void unsupportedConfigsNameTheField() {
        assertThatThrownBy(() -> config("{\"addition_embed_type\": \"text_time\"}").validate("sdxl/unet/config.json"))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("sdxl/unet/config.json").hasMessageContaining("addition_embed_type");
        assertThatThrownBy(() -> config("{\"down_block_types\": [\"AttnDownBlock2D\", \"DownBlock2D\", \"DownBlock2D\","
                + " \"DownBlock2D\"]}").validate("c.json"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("AttnDownBlock2D");
        assertThatThrownBy(() -> config("{\"attention_head_dim\": [8, 8]}").validate("c.json"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("attention_head_dim");
    }

    @Test
    void sinusoidalProjectionMatchesTheFormula() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = m.create(new float[] {0f, 21f, 999f});
            float[] flipped = TimestepEmbedding.sinusoidal(t, 8, true, 0f).toFloatArray();
            float[] plain = TimestepEmbedding.sinusoidal(t, 8, false, 1f).toFloatArray();
            for (int b = 0; b < 3; b++) {
                double ts = new double[] {0, 21, 999}[b];
                for (int i = 0; i < 4; i++) {
                    double f0 = Math.exp(-Math.log(10000) * i / 4.0);
                    double f1 = Math.exp(-Math.log(10000) * i / 3.0); // freq_shift 1: divide by half - 1
                    // flip_sin_to_cos: [cos | sin]
                    assertThat((double) flipped[b * 8 + i]).isCloseTo(Math.cos(ts * f0), org.assertj.core.data.Offset.offset(2e-4));
                    assertThat((double) flipped[b * 8 + 4 + i]).isCloseTo(Math.sin(ts * f0), org.assertj.core.data.Offset.offset(2e-4));
                    assertThat((double) plain[b * 8 + i]).isCloseTo(Math.sin(ts * f1), org.assertj.core.data.Offset.offset(2e-4));
                    assertThat((double) plain[b * 8 + 4 + i]).isCloseTo(Math.cos(ts * f1), org.assertj.core.data.Offset.offset(2e-4));
                }
            }
        }
    }

    @Test
    void oddLatentSizesUpsampleToTheSkipSizeAndScopesAreFreed() {
        try (UNet2DConditionModel unet = UNet2DConditionModel.load(TINY, EngineOptions.cpu());
             NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray sample = m.randomNormal(new Shape(1, 4, 13, 10));
            NDArray context = m.randomNormal(new Shape(1, 77, 32));
            NDArray t = m.create(new float[] {300f});
            int before = ((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size();
            NDArray out = unet.forward(sample, t, context, null);
            // only the output was added to the caller's manager; the inputs are back where they were
            assertThat(((ai.djl.ndarray.BaseNDManager) m).getManagedArrays()).hasSize(before + 1).contains(out, sample);
            assertThat(out.getShape()).isEqualTo(new Shape(1, 4, 13, 10));
            assertThat(out.isInfinite().any().getBoolean() || out.isNaN().any().getBoolean()).isFalse();
        }
    }

    @Test
    void missingInputsAndTensorsGetClearErrors() throws Exception {
        try (UNet2DConditionModel x4 = UNet2DConditionModel.load(X4, EngineOptions.cpu());
             NDManager m = NDManager.newBaseManager()) {
            NDArray sample = m.zeros(new Shape(1, 7, 8, 8));
            NDArray context = m.zeros(new Shape(1, 77, 32));
            assertThatThrownBy(() -> x4.forward(sample, m.create(new float[] {1f}), context, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("class_labels");
            assertThatThrownBy(() -> x4.forward(sample, m.create(new float[] {1f}), context, m.create(new long[] {1000})))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("class_labels must be in [0, 1000)");
            assertThatThrownBy(() -> x4.forward(m.zeros(new Shape(1, 4, 8, 8)), m.create(new float[] {1f}), context, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, 7, h, w]");
        }
        UNetConfig c = UNetConfig.read(TINY.resolve("config.json"));
        try (Weights w = Weights.open(TINY)) {
            TensorSource missing = new TensorSource() {
                @Override
                public NDArray get(NDManager manager, String name, long... shape) {
                    if (name.equals("up_blocks.1.attentions.2.transformer_blocks.0.attn2.to_k.weight")) {
                        throw new ModelFormatException("tensor '" + name + "' not found in test");
                    }
                    return w.get(manager, name, shape);
                }

                @Override
                public boolean has(String name) {
                    return w.has(name);
                }
            };
            assertThatThrownBy(() -> UNet2DConditionModel.create(c, missing, EngineOptions.cpu()))
                    .isInstanceOf(ModelFormatException.class).hasMessageContaining("attn2.to_k.weight");
            // a config that disagrees with the weights: the shape check names the tensor
            ObjectNode wider = (ObjectNode) Configs.readTree(TINY.resolve("config.json"));
            wider.put("cross_attention_dim", 48);
            UNetConfig wrong = Configs.convert(wider, UNetConfig.class, "test");
            assertThatThrownBy(() -> UNet2DConditionModel.create(wrong, TensorSource.of(w), EngineOptions.cpu()))
                    .isInstanceOf(ModelFormatException.class).hasMessageContaining("attn2.to_k.weight")
                    .hasMessageContaining("expected [32, 48]");
        }
    }

    @Test
    void flopCountOfSd15() {
        UNetConfig sd15 = config(UNetBench.SD15);
        // independent tally of the SD 1.5 architecture (convs, linears, attention products; batch 2, CFG)
        UNetFlops f64 = UNetFlops.of(sd15, 2, 64, 64, 77);
        assertThat(f64.total() / 1e9).isCloseTo(1606.5, org.assertj.core.data.Offset.offset(0.5));
        assertThat(f64.attention() / 1e9).isCloseTo(252.1, org.assertj.core.data.Offset.offset(0.1));
        UNetFlops f32 = UNetFlops.of(sd15, 2, 32, 32, 77);
        assertThat(f32.total() / 1e9).isCloseTo(360.2, org.assertj.core.data.Offset.offset(0.5));
        // convolutions scale with pixels, self-attention with pixels squared
        assertThat((double) f64.conv() / f32.conv()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
    }
}
