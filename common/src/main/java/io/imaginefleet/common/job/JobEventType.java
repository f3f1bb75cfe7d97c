package io.imaginefleet.common.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** The kind of a {@link JobEvent}; JSON names are lower case. */
public enum JobEventType {
    ACCEPTED, PROGRESS, COMPLETED, FAILED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static JobEventType fromWire(String name) {
        for (JobEventType t : values()) {
            if (t.wireName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown event type '" + name + "' (allowed: accepted|progress|completed|failed)");
    }
}
