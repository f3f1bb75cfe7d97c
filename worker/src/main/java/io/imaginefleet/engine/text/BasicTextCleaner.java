package io.imaginefleet.engine.text;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The text clean-up that transformers' slow {@code CLIPTokenizer} applies when {@code ftfy} is not installed: its
 * {@code BasicTokenizer(strip_accents=False, do_split_on_punc=False)} fallback. In order:
 * <ol>
 *   <li>remove U+0000, U+FFFD and every code point of general category C* (control, format such as zero-width
 *       space/joiner, private use, surrogate, unassigned) except tab, LF and CR;</li>
 *   <li>turn tab, LF, CR and every Zs space (e.g. no-break space) into a plain space;</li>
 *   <li>put spaces around CJK ideographs (the BERT ranges: U+4E00–9FFF, U+3400–4DBF, U+F900–FAFF, U+20000–2CEAF
 *       and U+2F800–2FA1F; kana and hangul are not included);</li>
 *   <li>NFC-normalise;</li>
 *   <li>split on whitespace ({@code str.split()}: also U+2028/2029, U+1C–1F, U+85) and lower-case each piece
 *       ({@code str.lower()}; accents are kept, punctuation is not split off);</li>
 *   <li>join the pieces with single spaces.</li>
 * </ol>
 * The result never starts or ends with a space and has no other whitespace than single spaces. Character
 * properties and lower-casing follow Python 3.11 (Unicode 14.0) through {@link PythonUnicode}. Known difference: NFC
 * is Java 17's (Unicode 13.0), so a combining mark new in Unicode 14.0 (e.g. U+0898–089F) next to other combining
 * marks is not reordered as Python would; a random-prompt comparison found no other difference.
 */
final class BasicTextCleaner {

    private BasicTextCleaner() {
    }

    /** The cleaned, lower-cased pieces of {@code text} (empty for blank text). */
    static List<String> words(String text) {
        StringBuilder cleaned = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                continue;
            }
            if (isWhitespace(cp)) {
                cleaned.append(' ');
            } else if (isCjkIdeograph(cp)) {
                cleaned.append(' ').appendCodePoint(cp).append(' ');
            } else {
                cleaned.appendCodePoint(cp);
            }
        }
        String normalized = Normalizer.normalize(cleaned, Normalizer.Form.NFC);
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < normalized.length(); ) {
            int cp = normalized.codePointAt(i);
            if (PythonUnicode.isPySpace(cp)) {
                if (start >= 0) {
                    words.add(PythonUnicode.lower(normalized.substring(start, i)));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            words.add(PythonUnicode.lower(normalized.substring(start)));
        }
        return words;
    }

    /** The cleaned text: {@link #words} joined by single spaces. */
    static String clean(String text) {
        return String.join(" ", words(text));
    }

    /** BERT's {@code _is_control}: category C*, but tab, LF and CR are whitespace. */
    private static boolean isControl(int cp) {
        return cp != '\t' && cp != '\n' && cp != '\r' && PythonUnicode.isOtherCategory(cp);
    }

    /** BERT's {@code _is_whitespace}: space, tab, LF, CR or category Zs. */
    private static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || PythonUnicode.isSpaceSeparator(cp);
    }

    /** BERT's {@code _is_chinese_char} (the CJK Unified Ideographs blocks, not kana or hangul). */
    static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
