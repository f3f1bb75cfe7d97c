package io.imaginefleet.common.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a job asks the engine to do. JSON names are lower case ({@code txt2img}, …). */
public enum JobKind {
    TXT2IMG, IMG2IMG, INPAINT, UPSCALE;

    /** The JSON name of this kind. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a JSON name; unknown names fail with the list of allowed ones. */
    @JsonCreator
    public static JobKind fromWire(String name) {
        for (JobKind k : values()) {
            if (k.wireName().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kind '" + name + "' (allowed: " + allowed() + ")");
    }

    /** The allowed JSON names, joined with '|'. */
    public static String allowed() {
        return Arrays.stream(values()).map(JobKind::wireName).collect(Collectors.joining("|"));
    }
}
