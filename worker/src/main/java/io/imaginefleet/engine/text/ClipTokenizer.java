package io.imaginefleet.engine.text;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.imaginefleet.engine.io.ModelFormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIP's byte-level BPE tokenizer in pure Java, reading a Stable Diffusion {@code tokenizer/} folder
 * ({@code vocab.json}, {@code merges.txt}, {@code tokenizer_config.json}, {@code special_tokens_map.json}).
 * It reproduces transformers' <em>slow</em> {@code CLIPTokenizer} (4.39) as installed without {@code ftfy},
 * as SD pipelines call it ({@code padding="max_length", max_length=77, truncation=True}):
 * <ol>
 *   <li>the raw prompt is split around the literal added tokens (bos, eos, unk, pad and any
 *       {@code added_tokens_decoder} entry — so {@code "<|endoftext|>"} typed in a prompt becomes id 49407, and with
 *       SD 2.x's pad token {@code "!"} every {@code !} becomes id 0, exactly like transformers);</li>
 *   <li>each other piece is cleaned by {@link BasicTextCleaner} (control characters removed, whitespace collapsed,
 *       spaces around CJK ideographs, NFC, lower case with accents kept; see there);</li>
 *   <li>CLIP's pattern {@code <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}
 *       (case-insensitive) cuts it into words: letter runs, single digits, runs of other symbols;</li>
 *   <li>each word's UTF-8 bytes are mapped through GPT-2's byte-to-unicode table, {@code </w>} is appended to its last
 *       symbol, and the merges of {@code merges.txt} are applied lowest rank first (results cached);</li>
 *   <li>ids are looked up in {@code vocab.json} (unknown → unk id), then {@code [bos] + ids + [eos]}, truncated to
 *       {@code model_max_length} (77) keeping eos last, and right-padded with the pad id.</li>
 * </ol>
 * Instances are immutable apart from the thread-safe BPE cache and can be shared between threads.
 */
public final class ClipTokenizer {

    /** transformers reads at most this many merges: {@code merges[1 : 49152 - 256 - 2 + 1]}. */
    private static final int MAX_MERGES = 49152 - 256 - 2;
    /** The BPE cache holds at most this many words of at most {@link #CACHED_WORD_LENGTH} chars (bounded memory). */
    private static final int CACHE_LIMIT = 50_000;
    private static final int CACHED_WORD_LENGTH = 64;
    private static final String END_OF_WORD = "</w>";
    private static final String[] CONTRACTIONS = {"s", "t", "re", "ve", "m", "ll", "d"};
    private static final String START_OF_TEXT = "<|startoftext|>";
    private static final String END_OF_TEXT = "<|endoftext|>";
    /** U+0345 COMBINING GREEK YPOGEGRAMMENI, the one code point CLIP's case-insensitive pattern never matches. */
    private static final int YPOGEGRAMMENI = 0x345;

    private final Map<String, Integer> vocab;
    private final Map<String, Integer> mergeRanks;
    private final String[] byteToUnicode = byteToUnicode();
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();
    private final Map<String, Integer> addedIds;
    private final Map<String, TokenizerConfig.AddedToken> addedTokens;
    private final List<String> addedByLength;
    private final TokenizerConfig config;
    private final int bosId;
    private final int eosId;
    private final int unkId;
    private final int padId;
    private volatile String[] decoder;

    private ClipTokenizer(Map<String, Integer> vocab, Map<String, Integer> mergeRanks, TokenizerConfig config, Path dir) {
        this.vocab = vocab;
        this.mergeRanks = mergeRanks;
        this.config = config;
        Map<String, Integer> ids = new HashMap<>();
        Map<String, TokenizerConfig.AddedToken> tokens = new LinkedHashMap<>();
        config.addedTokens().forEach((id, token) -> {
            ids.put(token.content(), id);
            tokens.put(token.content(), token);
        });
        for (var special : List.of(Map.entry("bos_token", config.bosToken()), Map.entry("eos_token", config.eosToken()),
                Map.entry("unk_token", config.unkToken()), Map.entry("pad_token", config.padToken()))) {
            TokenizerConfig.AddedToken token = special.getValue();
            if (token.content().isEmpty()) {
                throw new ModelFormatException("tokenizer in " + dir + ": " + special.getKey() + " is empty");
            }
            Integer id = ids.containsKey(token.content()) ? ids.get(token.content()) : vocab.get(token.content());
            if (id == null) {
                throw new ModelFormatException("tokenizer in " + dir + ": " + special.getKey() + " '"
                        + token.content() + "' is neither in vocab.json nor an added token");
            }
            ids.put(token.content(), id);
            tokens.put(token.content(), token);
        }
        this.addedIds = Map.copyOf(ids);
        this.addedTokens = Collections.unmodifiableMap(tokens);
        List<String> byLength = new ArrayList<>(tokens.keySet());
        byLength.sort((a, b) -> Integer.compare(b.length(), a.length()));
        this.addedByLength = List.copyOf(byLength);
        this.bosId = ids.get(config.bosToken().content());
        this.eosId = ids.get(config.eosToken().content());
        this.unkId = ids.get(config.unkToken().content());
        this.padId = ids.get(config.padToken().content());
        seedCache();
    }

    /**
     * Loads {@code vocab.json}, {@code merges.txt} and the token config from a tokenizer folder.
     *
     * @throws ModelFormatException naming the file when a file is missing or malformed
     */
    public static ClipTokenizer load(Path tokenizerDir) {
        return load(tokenizerDir, TokenizerConfig.read(tokenizerDir));
    }

    /** Loads vocab and merges from {@code tokenizerDir} but uses the given special tokens and length. */
    public static ClipTokenizer load(Path tokenizerDir, TokenizerConfig config) {
        Objects.requireNonNull(config, "config");
        return new ClipTokenizer(readVocab(tokenizerDir.resolve("vocab.json")),
                readMerges(tokenizerDir.resolve("merges.txt")), config, tokenizerDir);
    }

    /**
     * The prompt as {@code maxLength()} ids: bos, the prompt's tokens, eos, then pad ids. A prompt longer than
     * {@code maxLength() - 2} tokens is cut (its tail is dropped) and eos stays last.
     *
     * @throws IllegalArgumentException when the prompt is null
     */
    public long[] encode(String prompt) {
        List<Integer> ids = tokenIds(prompt);
        int max = config.modelMaxLength();
        long[] out = new long[max];
        Arrays.fill(out, padId);
        int n = Math.min(ids.size(), max - 2);
        out[0] = bosId;
        for (int i = 0; i < n; i++) {
            out[i + 1] = ids.get(i);
        }
        out[n + 1] = eosId;
        return out;
    }

    /** {@link #encode} for several prompts: {@code [prompts.size()][maxLength()]}. */
    public long[][] encodeAll(List<String> prompts) {
        long[][] out = new long[prompts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encode(prompts.get(i));
        }
        return out;
    }

    /** bos, all of the prompt's tokens, eos: no truncation, no padding. */
    public long[] encodeUntruncated(String prompt) {
        List<Integer> ids = tokenIds(prompt);
        long[] out = new long[ids.size() + 2];
        out[0] = bosId;
        for (int i = 0; i < ids.size(); i++) {
            out[i + 1] = ids.get(i);
        }
        out[out.length - 1] = eosId;
        return out;
    }

    /** The token strings of {@link #encodeUntruncated}: bos, the BPE pieces (e.g. {@code "cat</w>"}), eos. */
    public List<String> bpeTokens(String prompt) {
        List<String> out = new ArrayList<>();
        out.add(config.bosToken().content());
        out.addAll(tokenize(prompt));
        out.add(config.eosToken().content());
        return out;
    }

    /**
     * Text of token ids as transformers' {@code decode(ids, skip_special_tokens=True)} without the clean-up of
     * tokenization spaces: bos, eos, pad and unk ids are dropped, the tokens' bytes are decoded as UTF-8 (invalid
     * sequences → U+FFFD), every {@code </w>} becomes a space and the result is stripped. Useful to show a user which
     * part of a prompt survived truncation ({@code decode(encode(prompt))}); ids outside the vocabulary are skipped.
     */
    public String decode(long[] ids) {
        if (decoder == null) {
            synchronized (this) {
                if (decoder == null) {
                    String[] d = new String[vocab.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1];
                    vocab.forEach((token, id) -> d[id] = token);
                    decoder = d;
                }
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (long id : ids) {
            if (id == bosId || id == eosId || id == padId || id == unkId || id < 0 || id >= decoder.length || decoder[(int) id] == null) {
                continue;
            }
            String token = decoder[(int) id];
            for (int i = 0; i < token.length(); i++) {
                char c = token.charAt(i);
                if (c < UNICODE_TO_BYTE.length && UNICODE_TO_BYTE[c] >= 0) {
                    out.write(UNICODE_TO_BYTE[c]);
                }
            }
        }
        String text = new String(out.toByteArray(), StandardCharsets.UTF_8).replace(END_OF_WORD, " ");
        return PythonUnicode.pyRstrip(PythonUnicode.pyLstrip(text));
    }

    /** The number of tokens of the prompt without bos/eos; more than {@code maxLength() - 2} means it gets truncated. */
    public int tokenCount(String prompt) {
        return tokenize(prompt).size();
    }

    /** transformers' {@code tokenize}: added tokens kept verbatim, everything else cleaned and BPE-split. */
    public List<String> tokenize(String prompt) {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must not be null");
        }
        List<String> out = new ArrayList<>();
        for (String piece : splitOnAddedTokens(prompt)) {
            if (piece.isEmpty()) {
                continue;
            }
            if (addedTokens.containsKey(piece)) {
                out.add(piece);
            } else {
                bpeTokenize(piece, out);
            }
        }
        return out;
    }

    private List<Integer> tokenIds(String prompt) {
        List<String> tokens = tokenize(prompt);
        List<Integer> ids = new ArrayList<>(tokens.size());
        for (String t : tokens) {
            Integer id = addedIds.get(t);
            if (id == null) {
                id = vocab.getOrDefault(t, unkId);
            }
            ids.add(id);
        }
        return ids;
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padId;
    }

    public int unkId() {
        return unkId;
    }

    /** The fixed output length of {@link #encode} ({@code model_max_length}, 77 for SD). */
    public int maxLength() {
        return config.modelMaxLength();
    }

    public int vocabSize() {
        return vocab.size();
    }

    public TokenizerConfig config() {
        return config;
    }

    // ---------------------------------------------------------------- added tokens (transformers' Trie.split)

    private List<String> splitOnAddedTokens(String text) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            String match = null;
            for (String token : addedByLength) {
                if (text.startsWith(token, i)) {
                    match = token;
                    break;
                }
            }
            if (match == null) {
                i++;
                continue;
            }
            if (i > start) {
                pieces.add(text.substring(start, i));
            }
            pieces.add(match);
            i += match.length();
            start = i;
        }
        if (start < text.length()) {
            pieces.add(text.substring(start));
        }
        // lstrip / rstrip / single_word as in PreTrainedTokenizer.tokenize (all false for SD tokenizers)
        for (int k = 0; k < pieces.size(); k++) {
            String piece = pieces.get(k);
            TokenizerConfig.AddedToken token = addedTokens.get(piece);
            if (token == null) {
                continue;
            }
            String left = k > 0 ? pieces.get(k - 1) : null;
            String right = k < pieces.size() - 1 ? pieces.get(k + 1) : null;
            if (token.rstrip() && right != null && !right.isEmpty()) {
                pieces.set(k + 1, PythonUnicode.pyLstrip(right));
            }
            if (token.lstrip() && left != null && !left.isEmpty()) {
                pieces.set(k - 1, PythonUnicode.pyRstrip(left));
            }
            if (token.singleWord() && left != null && !left.isEmpty() && !left.endsWith(" ")) {
                pieces.set(k - 1, left + piece);
                pieces.set(k, "");
            } else if (token.singleWord() && right != null && !right.isEmpty() && !right.startsWith(" ")) {
                pieces.set(k, piece + right);
                pieces.set(k + 1, "");
            }
        }
        return pieces;
    }

    // ---------------------------------------------------------------- clean-up, pattern, byte-level BPE

    private void bpeTokenize(String piece, List<String> out) {
        String text = BasicTextCleaner.clean(piece);
        int n = text.length();
        int i = 0;
        while (i < n) {
            int end = matchAt(text, i);
            if (end < 0) {
                i += Character.charCount(text.codePointAt(i));
                continue;
            }
            byte[] utf8 = text.substring(i, end).getBytes(StandardCharsets.UTF_8);
            StringBuilder word = new StringBuilder(utf8.length);
            for (byte b : utf8) {
                word.append(byteToUnicode[b & 0xFF]);
            }
            out.addAll(bpe(word.toString()));
            i = end;
        }
    }

    /**
     * End of CLIP's pattern match starting at {@code i}, or -1 where nothing matches (whitespace, and U+0345: under
     * {@code re.IGNORECASE} the {@code regex} module matches it with neither {@code [\p{L}]} (it is Mn) nor
     * {@code [^\s\p{L}\p{N}]} (its case variants are letters), so {@code findall} skips it).
     */
    private static int matchAt(String s, int i) {
        if (s.regionMatches(true, i, START_OF_TEXT, 0, START_OF_TEXT.length())) {
            return i + START_OF_TEXT.length();
        }
        if (s.regionMatches(true, i, END_OF_TEXT, 0, END_OF_TEXT.length())) {
            return i + END_OF_TEXT.length();
        }
        if (s.charAt(i) == '\'') {
            for (String c : CONTRACTIONS) {
                if (s.regionMatches(true, i + 1, c, 0, c.length())) {
                    return i + 1 + c.length();
                }
            }
        }
        int cp = s.codePointAt(i);
        if (cp == YPOGEGRAMMENI) {
            return -1;
        }
        if (PythonUnicode.isLetter(cp)) {
            int j = i;
            while (j < s.length() && s.codePointAt(j) != YPOGEGRAMMENI && PythonUnicode.isLetter(s.codePointAt(j))) {
                j += Character.charCount(s.codePointAt(j));
            }
            return j;
        }
        if (PythonUnicode.isNumber(cp)) {
            return i + Character.charCount(cp);
        }
        if (isSpace(cp)) {
            return -1;
        }
        int j = i;
        while (j < s.length()) {
            int c = s.codePointAt(j);
            if (isSpace(c) || c == YPOGEGRAMMENI || PythonUnicode.isLetter(c) || PythonUnicode.isNumber(c)) {
                break;
            }
            j += Character.charCount(c);
        }
        return j;
    }

    private static boolean isSpace(int cp) {
        return PythonUnicode.isPySpace(cp) || Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    /**
     * CLIP's {@code bpe}: the merge of lowest rank is applied to all its non-overlapping occurrences, left to right,
     * until no adjacent pair has a rank; {@code </w>} marks the end of the word. Pair ranks are kept per position and
     * only looked up again next to a merge, so a long word costs O(n²) integer comparisons, not O(n²) lookups.
     */
    List<String> bpe(String token) {
        List<String> cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        int len = token.length();
        String[] symbols = new String[len];
        for (int k = 0; k < len - 1; k++) {
            symbols[k] = String.valueOf(token.charAt(k));
        }
        symbols[len - 1] = token.charAt(len - 1) + END_OF_WORD;
        int[] ranks = new int[len];
        for (int k = 0; k < len - 1; k++) {
            ranks[k] = rank(symbols[k], symbols[k + 1]);
        }
        String[] next = new String[len];
        int[] nextRanks = new int[len];
        int[] origin = new int[len];
        boolean[] merged = new boolean[len];
        while (len > 1) {
            int best = Integer.MAX_VALUE;
            for (int k = 0; k < len - 1; k++) {
                best = Math.min(best, ranks[k]);
            }
            if (best == Integer.MAX_VALUE) {
                break;
            }
            int m = 0;
            for (int k = 0; k < len; m++) {
                origin[m] = k;
                if (k < len - 1 && ranks[k] == best) { // ranks are unique per pair: this is the best pair
                    next[m] = symbols[k] + symbols[k + 1];
                    merged[m] = true;
                    k += 2;
                } else {
                    next[m] = symbols[k];
                    merged[m] = false;
                    k++;
                }
            }
            for (int j = 0; j < m - 1; j++) {
                nextRanks[j] = merged[j] || merged[j + 1] ? rank(next[j], next[j + 1]) : ranks[origin[j]];
            }
            String[] swapSymbols = symbols;
            symbols = next;
            next = swapSymbols;
            int[] swapRanks = ranks;
            ranks = nextRanks;
            nextRanks = swapRanks;
            len = m;
        }
        List<String> result = List.of(Arrays.copyOf(symbols, len));
        if (token.length() <= CACHED_WORD_LENGTH) {
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
                seedCache();
            }
            cache.put(token, result);
        }
        return result;
    }

    private int rank(String first, String second) {
        Integer rank = mergeRanks.get(first + ' ' + second);
        return rank == null ? Integer.MAX_VALUE : rank;
    }

    private void seedCache() {
        // as CLIPTokenizer.__init__: the two special strings, when matched by the pattern, stay whole (no </w>)
        cache.put(START_OF_TEXT, List.of(START_OF_TEXT));
        cache.put(END_OF_TEXT, List.of(END_OF_TEXT));
    }

    /** Inverse of {@link #byteToUnicode()}: char → byte, -1 where no byte maps to the char. */
    private static final int[] UNICODE_TO_BYTE = unicodeToByte();

    private static int[] unicodeToByte() {
        int[] table = new int[256 + 256];
        Arrays.fill(table, -1);
        String[] forward = byteToUnicode();
        for (int b = 0; b < 256; b++) {
            table[forward[b].charAt(0)] = b;
        }
        return table;
    }

    /** GPT-2's {@code bytes_to_unicode}: printable bytes map to themselves, the others to U+0100 onwards. */
    static String[] byteToUnicode() {
        String[] table = new String[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            table[b] = String.valueOf((char) (printable ? b : 256 + n++));
        }
        return table;
    }

    private static Map<String, Integer> readVocab(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException("tokenizer file missing: " + file);
        }
        // streamed: about 3x faster than data binding for the 49408 entries
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ModelFormatException(file + ": expected a JSON object of token → id");
            }
            Map<String, Integer> vocab = new HashMap<>(1 << 17);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String token = p.getCurrentName();
                if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                    throw new ModelFormatException(file + ": id of token '" + token + "' is not an integer");
                }
                vocab.put(token, p.getIntValue());
            }
            if (vocab.isEmpty()) {
                throw new ModelFormatException(file + ": empty vocabulary");
            }
            return vocab;
        } catch (IOException e) {
            throw new ModelFormatException(file + ": not a JSON object of token → id (" + e.getMessage() + ")", e);
        }
    }

    private static boolean hasOtherWhitespace(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c != ' ' && Character.isWhitespace(c)) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Integer> readMerges(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException("tokenizer file missing: " + file);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": unreadable (" + e.getMessage() + ")", e);
        }
        // merges_handle.read().strip().split("\n")[1 : 49152 - 256 - 2 + 1]; first line is "#version: 0.2"
        String[] lines = text.strip().split("\n", -1);
        Map<String, Integer> ranks = new HashMap<>(Math.min(lines.length, MAX_MERGES) * 2);
        for (int k = 1; k < lines.length && k <= MAX_MERGES; k++) {
            String line = lines[k].trim();
            int space = line.indexOf(' ');
            if (space <= 0 || line.indexOf(' ', space + 1) >= 0 || hasOtherWhitespace(line)) {
                String[] parts = line.split("\\s+"); // unusual spacing: Python's str.split()
                if (parts.length != 2) {
                    throw new ModelFormatException(file + ": line " + (k + 1) + " is not a merge of two symbols");
                }
                line = parts[0] + ' ' + parts[1];
            }
            ranks.put(line, k - 1); // "first second"; dict(zip(...)): a repeated merge keeps its last rank
        }
        return ranks;
    }
}
