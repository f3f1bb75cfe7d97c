package io.imaginefleet.bot.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Everything Kafka knows about one job: the job as queued ({@code imagine.jobs}), its events in order
 * ({@code imagine.events}: accepted by which worker, progress, completed with result keys and timings, or
 * failed with the reason) and its DLQ record if it was given up. Only the partition the job id hashes to is
 * read on each topic.
 */
public final class JobTimeline {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event, decoded loosely so that a newer or malformed event still shows. */
    public record Entry(Instant at, String type, String workerId, String detail, JsonNode event) {
    }

    /** The lookup result; {@link #found()} is false when no topic mentions the job. */
    public record View(String jobId, ObjectNode job, List<Entry> events, DlqRecord dlq) {
        public boolean found() {
            return job != null || !events.isEmpty() || dlq != null;
        }

        /** The last event type ({@code completed}, {@code failed}, …) or {@code queued}/{@code unknown}. */
        public String state() {
            if (!events.isEmpty()) {
                return events.get(events.size() - 1).type();
            }
            return job != null ? "queued" : "unknown";
        }
    }

    private final TopicScanner scanner;
    private final String jobsTopic;
    private final String eventsTopic;
    private final DlqReader dlq;

    public JobTimeline(TopicScanner scanner) {
        this(scanner, OpsContract.JOBS, OpsContract.EVENTS, new DlqReader(scanner));
    }

    public JobTimeline(TopicScanner scanner, String jobsTopic, String eventsTopic, DlqReader dlq) {
        this.scanner = scanner;
        this.jobsTopic = jobsTopic;
        this.eventsTopic = eventsTopic;
        this.dlq = dlq;
    }

    public View of(String jobId) {
        ObjectNode[] job = new ObjectNode[1];
        scanner.scan(jobsTopic, jobId, r -> {
            if (jobId.equals(r.key())) {
                JsonNode n = parse(r.value());
                if (n instanceof ObjectNode o) {
                    job[0] = o;
                }
            }
        });
        List<Entry> events = new ArrayList<>();
        scanner.scan(eventsTopic, jobId, r -> {
            if (!jobId.equals(r.key())) {
                return;
            }
            JsonNode e = parse(r.value());
            if (e == null) {
                events.add(new Entry(Instant.ofEpochMilli(r.timestamp()), "malformed", "", "not JSON", null));
                return;
            }
            Instant at = Instant.ofEpochMilli(r.timestamp());
            try {
                if (e.hasNonNull("at")) {
                    at = e.get("at").isNumber() ? Instant.ofEpochMilli(e.get("at").asLong()) : Instant.parse(e.get("at").asText());
                }
            } catch (RuntimeException ignored) {
                // record timestamp
            }
            events.add(new Entry(at, e.path("type").asText("?"), e.path("workerId").asText(""), detail(e), e));
        });
        events.sort(Comparator.comparing(Entry::at));
        Optional<DlqRecord> d = dlq.show(jobId);
        return new View(jobId, job[0], events, d.orElse(null));
    }

    /** One line summary of an event: progress step, result keys and timings, or the failure. */
    static String detail(JsonNode e) {
        String type = e.path("type").asText("");
        StringBuilder s = new StringBuilder();
        switch (type) {
            case "progress" -> s.append("step ").append(e.path("step").asInt()).append('/').append(e.path("totalSteps").asInt());
            case "completed" -> {
                s.append("results ").append(join(e.path("resultKeys")));
                if (e.hasNonNull("seed")) {
                    s.append(" seed ").append(e.get("seed").asText());
                }
                JsonNode t = e.path("timings");
                if (t.isObject() && t.size() > 0) {
                    s.append(" timings");
                    for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> f = it.next();
                        s.append(' ').append(f.getKey()).append('=').append(f.getValue().asText());
                    }
                }
            }
            case "failed" -> {
                s.append(e.path("code").asText("?")).append(": ").append(e.path("message").asText(""));
                if (e.has("retryable")) {
                    s.append(e.path("retryable").asBoolean() ? " (retryable" : " (permanent");
                    s.append(e.has("attempt") ? ", attempt " + e.path("attempt").asInt() + ")" : ")");
                }
            }
            default -> {
            }
        }
        return s.toString();
    }

    private static String join(JsonNode arr) {
        List<String> keys = new ArrayList<>();
        arr.forEach(k -> keys.add(k.asText()));
        return String.join(", ", keys);
    }

    private static JsonNode parse(byte[] v) {
        if (v == null) {
            return null;
        }
        try {
            return JSON.readTree(v);
        } catch (Exception e) {
            return null;
        }
    }
}
