package io.imaginefleet.engine.text;

import io.imaginefleet.engine.config.Configs;
import io.imaginefleet.engine.io.ModelFormatException;

import java.nio.file.Path;
import java.util.Set;

/**
 * transformers' {@code CLIPTextConfig} ({@code text_encoder/config.json}); missing fields take transformers'
 * defaults.
 *
 * @param vocabSize             token embedding rows (49408)
 * @param hiddenSize            width D (768 for SD 1.x, 1024 for SD 2.x)
 * @param intermediateSize      MLP width
 * @param numHiddenLayers       encoder layers
 * @param numAttentionHeads     heads (D must be divisible by it)
 * @param maxPositionEmbeddings positions (77)
 * @param hiddenAct             {@code quick_gelu} (SD 1.x), {@code gelu} (exact erf, SD 2.x), {@code gelu_new} /
 *                              {@code gelu_pytorch_tanh} (tanh approximation)
 * @param layerNormEps          LayerNorm epsilon
 * @param bosTokenId            {@code bos_token_id}
 * @param eosTokenId            {@code eos_token_id}: 2 in legacy configs (SD 1.x/2.x) → pooled output at
 *                              {@code argmax(input_ids)}; otherwise at the first occurrence of this id
 * @param padTokenId            {@code pad_token_id} (unused by the model)
 */
public record ClipTextConfig(Integer vocabSize, Integer hiddenSize, Integer intermediateSize, Integer numHiddenLayers,
                             Integer numAttentionHeads, Integer maxPositionEmbeddings, String hiddenAct,
                             Double layerNormEps, Integer bosTokenId, Integer eosTokenId, Integer padTokenId) {

    /** Activations this implementation supports. */
    public static final Set<String> ACTIVATIONS = Set.of("quick_gelu", "gelu", "gelu_new", "gelu_pytorch_tanh");

    public ClipTextConfig {
        vocabSize = vocabSize == null ? 49408 : vocabSize;
        hiddenSize = hiddenSize == null ? 512 : hiddenSize;
        intermediateSize = intermediateSize == null ? 2048 : intermediateSize;
        numHiddenLayers = numHiddenLayers == null ? 12 : numHiddenLayers;
        numAttentionHeads = numAttentionHeads == null ? 8 : numAttentionHeads;
        maxPositionEmbeddings = maxPositionEmbeddings == null ? 77 : maxPositionEmbeddings;
        hiddenAct = hiddenAct == null ? "quick_gelu" : hiddenAct;
        layerNormEps = layerNormEps == null ? 1e-5 : layerNormEps;
        bosTokenId = bosTokenId == null ? 49406 : bosTokenId;
        eosTokenId = eosTokenId == null ? 49407 : eosTokenId;
        padTokenId = padTokenId == null ? 1 : padTokenId;
    }

    /** Reads and validates {@code config.json}; problems name the file and field. */
    public static ClipTextConfig read(Path configJson) {
        ClipTextConfig c = Configs.read(configJson, ClipTextConfig.class);
        c.validate(configJson.toString());
        return c;
    }

    /** Size of one attention head. */
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Whether the pooled output uses the legacy {@code argmax(input_ids)} rule ({@code eos_token_id == 2}). */
    public boolean legacyPooling() {
        return eosTokenId == 2;
    }

    void validate(String where) {
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numHiddenLayers <= 0 || numAttentionHeads <= 0
                || maxPositionEmbeddings <= 0) {
            throw new ModelFormatException(where + ": vocab_size, hidden_size, intermediate_size, num_hidden_layers, "
                    + "num_attention_heads and max_position_embeddings must be positive");
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new ModelFormatException(where + ": hidden_size " + hiddenSize + " is not divisible by num_attention_heads "
                    + numAttentionHeads);
        }
        if (!ACTIVATIONS.contains(hiddenAct)) {
            throw new ModelFormatException(where + ": hidden_act '" + hiddenAct + "' is not supported (supported: "
                    + ACTIVATIONS + ")");
        }
    }
}
