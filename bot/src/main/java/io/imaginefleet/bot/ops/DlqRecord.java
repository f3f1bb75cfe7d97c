package io.imaginefleet.bot.ops;

import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One failed job as it sits in {@code dlq.imagine.jobs}: the job exactly as the worker got it (kept as a JSON
 * tree so a replay republishes every field, including ones this build does not know) and the error headers.
 *
 * @param jobId        the record key (the job id)
 * @param job          the job JSON, or null when the value was not a JSON object (it is then shown, never replayed)
 * @param rawValue     the value as text, for {@code dlq show} of a malformed record
 * @param errorClass   header: the failure class (e.g. {@code invalid_job}, {@code unknown_model})
 * @param errorMessage header: the user-readable reason
 * @param attempts     header: deliveries before the job was given up (0 if absent)
 * @param worker       header: the worker that gave up
 * @param failedAt     header time, or the record timestamp when the header is absent
 * @param headers      every header as text, for {@code dlq show}
 */
public record DlqRecord(String jobId, ObjectNode job, String rawValue, String errorClass, String errorMessage,
                        int attempts, String worker, Instant failedAt, int partition, long offset,
                        Map<String, String> headers) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Decodes a DLQ record; never throws on a malformed value. */
    public static DlqRecord from(ConsumerRecord<String, byte[]> r) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8));
        }
        String raw = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
        ObjectNode job = null;
        try {
            JsonNode n = JSON.readTree(raw);
            if (n instanceof ObjectNode o) {
                job = o;
            }
        } catch (Exception notJson) {
            // shown as raw text
        }
        String id = r.key();
        if ((id == null || id.isBlank()) && job != null) {
            id = job.path("id").asText("");
        }
        int attempts = Topics.intHeader(r.headers(), OpsContract.H_ATTEMPTS, 0);
        Instant at = Instant.ofEpochMilli(r.timestamp());
        String atHeader = headers.get(OpsContract.H_FAILED_AT);
        if (atHeader != null) {
            try {
                at = Instant.parse(atHeader.trim());
            } catch (RuntimeException notIso) {
                try {
                    at = Instant.ofEpochMilli(Long.parseLong(atHeader.trim()));
                } catch (NumberFormatException ignored) {
                    // record timestamp
                }
            }
        }
        if (Topics.brokerDeadLettered(r.headers())) {
            // written by the broker (KIP-1191): no worker settled the job within the share group's delivery limit
            String why = headers.get(Topics.H_BROKER_DLQ_MESSAGE);
            int count = Topics.intHeader(r.headers(), Topics.H_BROKER_DLQ_DELIVERY_COUNT, 0);
            return new DlqRecord(id, job, raw, FailureCode.DELIVERY_LIMIT, "dead-lettered by the broker: " + why, count, "",
                    at, r.partition(), r.offset(), headers);
        }
        return new DlqRecord(id, job, raw, headers.getOrDefault(OpsContract.H_ERROR_CLASS, "unknown"),
                headers.getOrDefault(OpsContract.H_ERROR_MESSAGE, ""), attempts,
                headers.getOrDefault(OpsContract.H_WORKER, ""), at, r.partition(), r.offset(), headers);
    }

    /** The requesting Discord user id, or "" when unknown. */
    public String userId() {
        return job == null ? "" : job.path("requester").path("userId").asText("");
    }

    /** The job kind (txt2img, img2img, inpaint, upscale), or "?" for a malformed record. */
    public String kind() {
        return job == null ? "?" : job.path("kind").asText("?");
    }

    /** The model name, or "". */
    public String model() {
        return job == null ? "" : job.path("model").asText("");
    }

    /** The job this one replayed, or null. */
    public String replayOf() {
        if (job == null || !job.hasNonNull("replayOf")) {
            return null;
        }
        String s = job.get("replayOf").asText("");
        return s.isBlank() ? null : s;
    }

    /** Whether this record can be sent again (it holds a JSON job). */
    public boolean replayable() {
        return job != null;
    }
}
