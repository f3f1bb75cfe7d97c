package io.imaginefleet.common.job;

/** One broken rule: the JSON field it concerns and a message naming the allowed range. */
public record Violation(String field, String message) {
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
