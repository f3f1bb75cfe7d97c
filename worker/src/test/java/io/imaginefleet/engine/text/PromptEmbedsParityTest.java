package io.imaginefleet.engine.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.io.Npy;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tokenizer + text encoder against what the reference pipelines fed their UNets: for every pipeline case the
 * prompt / negative-prompt ids must be identical and the embeddings within the component tolerance.
 */
class PromptEmbedsParityTest {

    private static final List<String> PIPELINE_KINDS = List.of("txt2img", "img2img", "inpaint", "inpaint_4ch", "inpaint_legacy", "upscale");

    @Test
    void everyPipelineCasesPromptIdsAndEmbeddingsAreReproduced() throws IOException {
        Path fixtures = Path.of(System.getProperty("fixtures.dir", "src/test/fixtures/sd-tiny"));
        JsonNode manifest = TextFixtures.manifest(fixtures);
        Map<String, ClipTextModel> encoders = new HashMap<>();
        ClipTokenizer tokenizer = ClipTokenizer.load(fixtures.resolve("models/tiny-sd/tokenizer")); // shared by all three models
        int checked = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (JsonNode c : manifest.get("cases")) {
                if (!PIPELINE_KINDS.contains(c.get("kind").asText())) {
                    continue;
                }
                String model = c.get("model").asText();
                ClipTextModel encoder = encoders.computeIfAbsent(model,
                        m -> ClipTextModel.load(fixtures.resolve("models/" + m + "/text_encoder"), EngineOptions.cpu()));
                JsonNode params = c.get("params");
                JsonNode outputs = c.get("outputs");
                check(c.get("id").asText() + " prompt", tokenizer, encoder, manager, fixtures, strings(params.get("prompt")),
                        outputs.get("prompt_input_ids"), outputs.get("prompt_embeds"));
                if (outputs.has("negative_prompt_embeds")) {
                    List<String> negatives = params.hasNonNull("negative_prompt") ? strings(params.get("negative_prompt")) : List.of("");
                    check(c.get("id").asText() + " negative", tokenizer, encoder, manager, fixtures, negatives,
                            outputs.get("negative_input_ids"), outputs.get("negative_prompt_embeds"));
                }
                checked++;
            }
        } finally {
            encoders.values().forEach(ClipTextModel::close);
        }
        assertThat(checked).isEqualTo(11);
    }

    private static void check(String what, ClipTokenizer tokenizer, ClipTextModel encoder, NDManager manager, Path fixtures,
                              List<String> prompts, JsonNode idsFile, JsonNode embedsFile) {
        long[] ids = new long[prompts.size() * 77];
        for (int i = 0; i < prompts.size(); i++) {
            System.arraycopy(tokenizer.encode(prompts.get(i)), 0, ids, i * 77, 77);
        }
        assertThat(ids).as(what + " ids").isEqualTo(Npy.readLongs(fixtures.resolve(idsFile.get("file").asText())));
        try (NDManager call = manager.newSubManager()) {
            NDArray embeds = encoder.encode(call.create(ids, new Shape(prompts.size(), 77))).lastHiddenState();
            ClipTextModelTest.assertClose(what + " embeds", embeds.toFloatArray(),
                    Npy.readFloats(fixtures.resolve(embedsFile.get("file").asText())));
        }
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else {
            out.add(node.asText());
        }
        return out;
    }
}
