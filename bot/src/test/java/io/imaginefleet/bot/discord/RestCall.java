package io.imaginefleet.bot.discord;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One REST call the bot made to the Discord stand-in.
 *
 * @param method  HTTP method
 * @param path    path below {@code /api/v10/} (no query)
 * @param query   raw query string or empty
 * @param json    the JSON body, or {@code payload_json} of a multipart body; null when there was none
 * @param files   multipart files by part name ({@code files[0]} …), each with its file name and bytes
 * @param at      when the stand-in received it (epoch millis)
 */
public record RestCall(String method, String path, String query, JsonNode json, Map<String, Upload> files, long at) {

    /** A multipart file part. */
    public record Upload(String filename, byte[] bytes) {}

    /** The message content in the body, or "" when none. */
    public String content() {
        return json != null && json.hasNonNull("content") ? json.get("content").asText() : "";
    }

    /** True when this is an interaction callback (the acknowledgement). */
    public boolean isCallback() {
        return path.startsWith("interactions/") && path.endsWith("/callback");
    }

    /** The interaction token this call used, or null (callbacks and webhook calls carry one). */
    public String token() {
        String[] p = path.split("/");
        if (p[0].equals("interactions") && p.length >= 3) return p[2];
        if (p[0].equals("webhooks") && p.length >= 3) return p[2];
        return null;
    }

    /** All custom ids of the buttons in the body's components. */
    public java.util.List<String> buttonIds() {
        java.util.List<String> ids = new java.util.ArrayList<>();
        if (json != null) json.findValues("custom_id").forEach(n -> ids.add(n.asText()));
        return ids;
    }

    /** All button labels in the body's components. */
    public java.util.List<String> buttonLabels() {
        java.util.List<String> labels = new java.util.ArrayList<>();
        if (json != null && json.has("components")) json.get("components").findValues("label").forEach(n -> labels.add(n.asText()));
        return labels;
    }

    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : "?" + query) + " " + (json == null ? "" : json) + (files.isEmpty() ? "" : " files=" + files.keySet());
    }
}
