package io.imaginefleet.engine.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.imaginefleet.engine.io.ModelFormatException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parity with transformers' slow CLIPTokenizer (fixture case {@code tokenizer}) and edge cases. */
class ClipTokenizerTest {

    private static Path fixtures;
    private static Path tokenizerDir;
    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void load() {
        fixtures = Path.of(System.getProperty("fixtures.dir", "src/test/fixtures/sd-tiny"));
        tokenizerDir = fixtures.resolve("models/tiny-sd/tokenizer");
        tokenizer = ClipTokenizer.load(tokenizerDir);
    }

    @Test
    void matchesReferenceIdsTokensAndUntruncatedIdsForAllFixturePrompts() throws IOException {
        JsonNode tokenizerCase = TextFixtures.fixtureCase(fixtures, "tokenizer");
        JsonNode prompts = tokenizerCase.at("/inputs/prompts");
        JsonNode outputs = tokenizerCase.get("outputs");
        long[] expectedIds = TextFixtures.longs(fixtures.resolve(outputs.at("/input_ids/file").asText()));
        assertThat(prompts.size()).isEqualTo(60);
        assertThat(expectedIds).hasSize(60 * 77);

        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String prompt = prompts.get(i).asText();
            long[] want = Arrays.copyOfRange(expectedIds, i * 77, (i + 1) * 77);
            long[] got = tokenizer.encode(prompt);
            if (!Arrays.equals(want, got)) {
                mismatches.add(i + " ids " + TextFixtures.quote(prompt) + ": want " + Arrays.toString(want) + " got " + Arrays.toString(got));
            }
            long[] wantUntruncated = TextFixtures.toLongs(outputs.get("untruncated_ids").get(i));
            if (!Arrays.equals(wantUntruncated, tokenizer.encodeUntruncated(prompt))) {
                mismatches.add(i + " untruncated " + TextFixtures.quote(prompt) + ": got " + Arrays.toString(tokenizer.encodeUntruncated(prompt)));
            }
            List<String> wantTokens = new ArrayList<>();
            outputs.get("tokens").get(i).forEach(t -> wantTokens.add(t.asText()));
            if (!wantTokens.equals(tokenizer.bpeTokens(prompt))) {
                mismatches.add(i + " tokens " + TextFixtures.quote(prompt) + ": want " + wantTokens + " got " + tokenizer.bpeTokens(prompt));
            }
        }
        assertThat(mismatches).as("prompts whose tokenization differs from transformers").isEmpty();
    }

    /**
     * 269 short random prompts (controls, odd whitespace, combining marks, Greek sigma, CJK, hangul jamo, emoji incl.
     * Unicode 14.0, fullwidth, special-token strings, contractions) with ids from a line-by-line Python port of
     * transformers 4.39's slow {@code CLIPTokenizer} + {@code BasicTokenizer} fallback, run under Python 3.11.7
     * ({@code unicodedata} 14.0) and {@code regex} 2026.5.9; the port reproduces all 60 fixture prompts exactly.
     */
    @Test
    void matchesAPythonPortOfTheSlowTokenizerOnUnicodeEdgeCases() throws IOException {
        JsonNode cases;
        try (var in = ClipTokenizerTest.class.getResourceAsStream("python-port-cases.json")) {
            cases = new ObjectMapper().readTree(in);
        }
        assertThat(cases.size()).isEqualTo(269);
        List<String> mismatches = new ArrayList<>();
        for (JsonNode c : cases) {
            String prompt = c.get("p").asText();
            long[] want = TextFixtures.toLongs(c.get("ids"));
            long[] got = tokenizer.encodeUntruncated(prompt);
            if (!Arrays.equals(want, got)) {
                mismatches.add(TextFixtures.quote(prompt) + ": want " + Arrays.toString(want) + " got " + Arrays.toString(got));
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void lowerCasingFollowsPythonIncludingFinalSigmaAndUnicode14() {
        assertThat(PythonUnicode.lower("ΟΔΥΣΣΕΥΣ")).isEqualTo("οδυσσευς");
        assertThat(PythonUnicode.lower("aΣ\u0345")).isEqualTo("aς\u0345"); // Java: σ
        assertThat(PythonUnicode.lower("\u02b0Σ")).isEqualTo("\u02b0σ"); // Java: ς
        assertThat(PythonUnicode.lower("xΣǆ")).isEqualTo("xσǆ");
        assertThat(PythonUnicode.lower("İ")).isEqualTo("i\u0307");
        assertThat(PythonUnicode.lower("\u2C2F\uD801\uDD70")).isEqualTo("\u2C5F\uD801\uDD97"); // Unicode 14 capitals
        // U+0345 matches nothing in CLIP's case-insensitive pattern and disappears
        assertThat(tokenizer.encodeUntruncated("a \u0345")).containsExactly(49406, 320, 49407);
    }

    @Test
    void sd1SpecialTokensAndLengthComeFromTheConfig() {
        assertThat(tokenizer.bosId()).isEqualTo(49406);
        assertThat(tokenizer.eosId()).isEqualTo(49407);
        assertThat(tokenizer.padId()).isEqualTo(49407);
        assertThat(tokenizer.unkId()).isEqualTo(49407);
        assertThat(tokenizer.maxLength()).isEqualTo(77);
        assertThat(tokenizer.vocabSize()).isEqualTo(49408);
    }

    @Test
    void sd2PadTokenExclamationMarkPadsWithIdZeroAndIsSplitOutLikeTransformers(@TempDir Path dir) throws IOException {
        Files.createSymbolicLink(dir.resolve("vocab.json"), tokenizerDir.resolve("vocab.json").toAbsolutePath());
        Files.createSymbolicLink(dir.resolve("merges.txt"), tokenizerDir.resolve("merges.txt").toAbsolutePath());
        // SD 2.x tokenizer_config.json: AddedToken objects for bos/eos/unk, the pad token as the plain string "!"
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": {"__type": "AddedToken", "content": "<|startoftext|>", "lstrip": false, "normalized": true,
                               "rstrip": false, "single_word": false},
                 "eos_token": {"__type": "AddedToken", "content": "<|endoftext|>", "lstrip": false, "normalized": true,
                               "rstrip": false, "single_word": false},
                 "unk_token": {"__type": "AddedToken", "content": "<|endoftext|>", "lstrip": false, "normalized": true,
                               "rstrip": false, "single_word": false},
                 "pad_token": "!", "model_max_length": 77, "do_lower_case": true, "tokenizer_class": "CLIPTokenizer"}
                """);
        ClipTokenizer sd2 = ClipTokenizer.load(dir);
        assertThat(sd2.padId()).isZero();
        long[] ids = sd2.encode("a cat");
        assertThat(Arrays.copyOf(ids, 5)).containsExactly(49406, 320, 2368, 49407, 0);
        assertThat(Arrays.stream(ids).skip(4)).containsOnly(0L);
        // transformers splits the added token "!" out before BPE: diffusers issue #4153 shows exactly these ids
        assertThat(Arrays.copyOf(sd2.encode("! !! !!!"), 9)).containsExactly(49406, 0, 0, 0, 0, 0, 0, 49407, 0);
        // SD 1.x keeps "!!!" as one BPE token
        assertThat(Arrays.copyOf(tokenizer.encode("! !! !!!"), 5)).containsExactly(49406, 256, 748, 995, 49407);
    }

    @Test
    void specialTokensMapOverridesTokenizerConfigAndPadMayBeAnAddedTokenObject(@TempDir Path dir) throws IOException {
        Files.createSymbolicLink(dir.resolve("vocab.json"), tokenizerDir.resolve("vocab.json").toAbsolutePath());
        Files.createSymbolicLink(dir.resolve("merges.txt"), tokenizerDir.resolve("merges.txt").toAbsolutePath());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"<|endoftext|>\", \"model_max_length\": 1e30}");
        Files.writeString(dir.resolve("special_tokens_map.json"),
                "{\"pad_token\": {\"content\": \"!\", \"lstrip\": false, \"rstrip\": false, \"single_word\": false}}");
        ClipTokenizer t = ClipTokenizer.load(dir);
        assertThat(t.padId()).isZero();
        assertThat(t.maxLength()).as("absurd model_max_length falls back to 77").isEqualTo(77);
    }

    @Test
    void longPromptIsTruncatedTo77WithEosLast() {
        String prompt = "a red dog and a blue cat ".repeat(20);
        assertThat(tokenizer.encodeUntruncated(prompt)).hasSize(20 * 7 + 2);
        assertThat(tokenizer.tokenCount(prompt)).isEqualTo(140);
        long[] ids = tokenizer.encode(prompt);
        assertThat(ids).hasSize(77);
        assertThat(ids[0]).isEqualTo(49406);
        assertThat(ids[76]).isEqualTo(49407);
        assertThat(Arrays.copyOfRange(ids, 1, 76)).isEqualTo(Arrays.copyOfRange(tokenizer.encodeUntruncated(prompt), 1, 76));
    }

    @Test
    void emptyBlankAndControlOnlyPromptsGiveBosEosAndPadding() {
        long[] expected = new long[77];
        Arrays.fill(expected, 49407);
        expected[0] = 49406;
        for (String prompt : List.of("", "   \t\n", "\u0000\u0001\u200b\u200d\ufffd\u007f", "\ud800", "\udc00x\ud800")) {
            long[] ids = tokenizer.encode(prompt);
            if (prompt.contains("x")) {
                assertThat(Arrays.copyOf(ids, 4)).containsExactly(49406, 343, 49407, 49407);
            } else {
                assertThat(ids).as(TextFixtures.quote(prompt)).isEqualTo(expected);
            }
        }
    }

    @Test
    void controlCharactersAreDroppedInsideWords() {
        assertThat(tokenizer.encodeUntruncated("ca\u0007t\u00ad")).isEqualTo(tokenizer.encodeUntruncated("cat"));
        // U+2028 separates words (str.split); U+0085 is a control character (Cc) and is removed before splitting
        assertThat(tokenizer.encodeUntruncated("a\u2028cat\u0085dog")).isEqualTo(tokenizer.encodeUntruncated("a catdog"));
    }

    @Test
    void emojiAreByteLevelTokensIncludingUnicode14Ones() {
        // 🔥 is in the vocabulary as one token; 🫠 (U+1FAE0, Unicode 14) is unknown to Java 17 but kept like Python 3.11
        assertThat(tokenizer.bpeTokens("🔥")).containsExactly("<|startoftext|>", "ðŁĶ¥</w>", "<|endoftext|>");
        String[] bytes = ClipTokenizer.byteToUnicode();
        StringBuilder expected = new StringBuilder();
        for (byte b : "\uD83E\uDEE0".getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            expected.append(bytes[b & 0xFF]);
        }
        List<String> melting = tokenizer.bpeTokens("\uD83E\uDEE0 face");
        assertThat(melting.get(melting.size() - 2)).isEqualTo("face</w>");
        assertThat(String.join("", melting.subList(1, melting.size() - 2))).isEqualTo(expected + "</w>");
    }

    @Test
    void decodeShowsWhatSurvivedTokenization() {
        assertThat(tokenizer.decode(tokenizer.encode("A photo of a Cat!"))).isEqualTo("a photo of a cat !");
        assertThat(tokenizer.decode(tokenizer.encode("🔥🔥🔥 fire  café"))).isEqualTo("🔥🔥🔥 fire café");
        assertThat(tokenizer.decode(tokenizer.encode(""))).isEmpty();
        String kept = tokenizer.decode(tokenizer.encode("a red dog and a blue cat ".repeat(20)));
        assertThat(kept).startsWith("a red dog and a blue cat a red dog").hasSizeLessThan(20 * 25);
        assertThat(tokenizer.tokenCount(kept)).isEqualTo(75);
    }

    @Test
    void nullPromptIsRejectedWithAClearMessage() {
        assertThatThrownBy(() -> tokenizer.encode(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt");
    }

    @Test
    void missingOrMalformedFilesNameTheFile(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ModelFormatException.class).hasMessageContaining("vocab.json");
        Files.writeString(dir.resolve("vocab.json"), "{\"a</w>\": \"x\"}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\n");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("vocab.json").hasMessageContaining("a</w>");
        Files.writeString(dir.resolve("vocab.json"), "{\"a</w>\": 0, \"<|startoftext|>\": 1, \"<|endoftext|>\": 2}");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b c\n");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("merges.txt").hasMessageContaining("line 2");
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na\tb\n");
        assertThat(ClipTokenizer.load(dir).encodeUntruncated("a")).containsExactly(1, 0, 2);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"<pad>\"}");
        assertThatThrownBy(() -> ClipTokenizer.load(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("pad_token").hasMessageContaining("<pad>");
    }
}
