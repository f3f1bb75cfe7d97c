package io.imaginefleet.engine.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imaginefleet.engine.io.ModelFormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The special tokens and length of a CLIP tokenizer folder, read the way transformers 4.39 reads them for the slow
 * {@code CLIPTokenizer}: {@code tokenizer_config.json}, where a special token is either a plain string or an
 * {@code AddedToken} object; without an {@code added_tokens_decoder} there, {@code special_tokens_map.json} (when
 * present) overrides the special tokens (the legacy path of {@code from_pretrained}). Extra added tokens come from
 * {@code added_tokens_decoder} or the legacy {@code added_tokens.json}.
 *
 * @param bosToken       {@code bos_token} (default {@code <|startoftext|>})
 * @param eosToken       {@code eos_token} (default {@code <|endoftext|>})
 * @param unkToken       {@code unk_token} (default {@code <|endoftext|>})
 * @param padToken       {@code pad_token}: {@code <|endoftext|>} for SD 1.x, {@code !} (id 0) for SD 2.x / SDXL's second encoder
 * @param modelMaxLength {@code model_max_length}; 77 when missing or absurd (some configs store 1e30)
 * @param addedTokens    explicitly numbered added tokens (id → token), possibly empty
 */
public record TokenizerConfig(AddedToken bosToken, AddedToken eosToken, AddedToken unkToken, AddedToken padToken,
                              int modelMaxLength, Map<Integer, AddedToken> addedTokens) {

    /** CLIP's context length, used when the config does not give a sensible {@code model_max_length}. */
    public static final int DEFAULT_MAX_LENGTH = 77;

    /**
     * A token matched verbatim in the raw prompt before any clean-up (transformers' {@code AddedToken}).
     *
     * @param content    the literal text
     * @param lstrip     whether it eats the whitespace on its left
     * @param rstrip     whether it eats the whitespace on its right
     * @param singleWord whether it only matches as a whole word
     */
    public record AddedToken(String content, boolean lstrip, boolean rstrip, boolean singleWord) {
        /** A plain-string special token: no stripping, not single-word. */
        public static AddedToken of(String content) {
            return new AddedToken(content, false, false, false);
        }
    }

    public TokenizerConfig {
        addedTokens = Map.copyOf(addedTokens);
    }

    /** SD 1.x defaults (the {@code CLIPTokenizer} constructor defaults). */
    public static TokenizerConfig defaults() {
        return new TokenizerConfig(AddedToken.of("<|startoftext|>"), AddedToken.of("<|endoftext|>"),
                AddedToken.of("<|endoftext|>"), AddedToken.of("<|endoftext|>"), DEFAULT_MAX_LENGTH, Map.of());
    }

    /** Reads {@code tokenizer_config.json} (optional), {@code special_tokens_map.json} and {@code added_tokens.json}. */
    public static TokenizerConfig read(Path tokenizerDir) {
        ObjectMapper json = new ObjectMapper();
        TokenizerConfig d = defaults();
        JsonNode config = readJson(json, tokenizerDir.resolve("tokenizer_config.json"));
        AddedToken bos = token(config, "bos_token", d.bosToken, tokenizerDir);
        AddedToken eos = token(config, "eos_token", d.eosToken, tokenizerDir);
        AddedToken unk = token(config, "unk_token", d.unkToken, tokenizerDir);
        AddedToken pad = token(config, "pad_token", d.padToken, tokenizerDir);
        Map<Integer, AddedToken> added = new LinkedHashMap<>();
        JsonNode decoder = config == null ? null : config.get("added_tokens_decoder");
        if (decoder != null && decoder.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                try {
                    added.put(Integer.parseInt(e.getKey()), parseToken(e.getValue(), "added_tokens_decoder", tokenizerDir));
                } catch (NumberFormatException ex) {
                    throw new ModelFormatException("tokenizer_config.json in " + tokenizerDir
                            + ": added_tokens_decoder key '" + e.getKey() + "' is not a token id");
                }
            }
        } else {
            JsonNode map = readJson(json, tokenizerDir.resolve("special_tokens_map.json"));
            bos = token(map, "bos_token", bos, tokenizerDir);
            eos = token(map, "eos_token", eos, tokenizerDir);
            unk = token(map, "unk_token", unk, tokenizerDir);
            pad = token(map, "pad_token", pad, tokenizerDir);
            JsonNode legacy = readJson(json, tokenizerDir.resolve("added_tokens.json"));
            if (legacy != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = legacy.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().canConvertToInt()) {
                        throw new ModelFormatException("added_tokens.json in " + tokenizerDir + ": token '"
                                + e.getKey() + "' has no integer id");
                    }
                    added.put(e.getValue().asInt(), AddedToken.of(e.getKey()));
                }
            }
        }
        int maxLength = DEFAULT_MAX_LENGTH;
        JsonNode mml = config == null ? null : config.get("model_max_length");
        if (mml != null && mml.isNumber() && mml.asDouble() >= 2 && mml.asDouble() <= 100_000) {
            maxLength = mml.asInt();
        }
        return new TokenizerConfig(bos, eos, unk, pad, maxLength, added);
    }

    private static JsonNode readJson(ObjectMapper json, Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode node = json.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new ModelFormatException(file + ": expected a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new ModelFormatException(file + ": unreadable JSON (" + e.getMessage() + ")", e);
        }
    }

    private static AddedToken token(JsonNode config, String field, AddedToken fallback, Path dir) {
        if (config == null || !config.has(field) || config.get(field).isNull()) {
            return fallback;
        }
        return parseToken(config.get(field), field, dir);
    }

    private static AddedToken parseToken(JsonNode node, String field, Path dir) {
        if (node.isTextual()) {
            return AddedToken.of(node.asText());
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return new AddedToken(node.get("content").asText(), node.path("lstrip").asBoolean(false),
                    node.path("rstrip").asBoolean(false), node.path("single_word").asBoolean(false));
        }
        throw new ModelFormatException("tokenizer config in " + dir + ": '" + field
                + "' must be a string or an AddedToken object with a 'content' string");
    }
}
