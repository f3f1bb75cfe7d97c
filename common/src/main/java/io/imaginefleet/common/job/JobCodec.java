package io.imaginefleet.common.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * JSON encoding of {@link Job} and {@link JobEvent} (schema v1), strict on the way in: a record larger than
 * {@link #MAX_RECORD_BYTES}, not a JSON object, with an unknown {@code schema} version, a missing required field or a
 * value of the wrong type (no "12" for 12, no 12.5 for an integer) fails with an {@link InvalidJobException}
 * ({@link FailureCode#MALFORMED}) whose message names the field. Unknown extra fields are ignored (forward
 * compatibility within v1). Thread-safe.
 */
public final class JobCodec {
    /** Largest record accepted (jobs carry S3 keys, never images). */
    public static final int MAX_RECORD_BYTES = 64 * 1024;

    private static final Pattern MISSING = Pattern.compile("Missing required creator property '([^']+)'");
    private static final ObjectMapper MAPPER = newMapper();

    private JobCodec() {
    }

    /** The shared, strictly configured mapper (Java time as ISO-8601 strings). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper newMapper() {
        JsonMapper m = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        for (LogicalType t : new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Float,
                LogicalType.Boolean, LogicalType.DateTime}) {
            m.coercionConfigFor(t)
                    .setCoercion(CoercionInputShape.Boolean, t == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, t == LogicalType.Textual || t == LogicalType.DateTime
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, t == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        return m;
    }

    public static byte[] encode(Job job) {
        return write(job);
    }

    public static byte[] encode(JobEvent event) {
        return write(event);
    }

    /** JSON text of any contract value (for logs of non-secret values and tools). */
    public static String toJson(Object value) {
        return new String(write(value), StandardCharsets.UTF_8);
    }

    private static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes a job record value; see the class comment for what fails. */
    public static Job decodeJob(byte[] value) {
        JsonNode tree = readChecked(value, "job");
        Job job = bind(tree, Job.class);
        requireNonNull("id", job.id());
        requireNonNull("kind", job.kind());
        requireNonNull("model", job.model());
        requireNonNull("prompt", job.prompt());
        requireNonNull("scheduler", job.scheduler());
        requireNonNull("createdAt", job.createdAt());
        return job;
    }

    public static Job decodeJob(String json) {
        return decodeJob(json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes an event record value with the same strictness as {@link #decodeJob(byte[])}. */
    public static JobEvent decodeEvent(byte[] value) {
        JsonNode tree = readChecked(value, "event");
        JobEvent event = bind(tree, JobEvent.class);
        requireNonNull("jobId", event.jobId());
        requireNonNull("type", event.type());
        requireNonNull("workerId", event.workerId());
        requireNonNull("at", event.at());
        return event;
    }

    public static JobEvent decodeEvent(String json) {
        return decodeEvent(json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Best effort: the {@code id} (or {@code jobId}) of a record that may not decode, for failed events and DLQ
     * entries of malformed records; null when there is none that looks like an id.
     */
    public static String peekId(byte[] value) {
        if (value == null || value.length > MAX_RECORD_BYTES) {
            return null;
        }
        try {
            JsonNode n = MAPPER.readTree(value);
            JsonNode id = n == null ? null : n.has("id") ? n.get("id") : n.get("jobId");
            return id != null && id.isTextual() && JobValidator.ID.matcher(id.asText()).matches() ? id.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static JsonNode readChecked(byte[] value, String what) {
        if (value == null || value.length == 0) {
            throw malformed("record", "empty " + what + " record (expected a JSON object)");
        }
        if (value.length > MAX_RECORD_BYTES) {
            throw malformed("record", "record is " + value.length + " bytes, larger than the limit of " + MAX_RECORD_BYTES + " bytes");
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(value);
        } catch (IOException e) {
            // no excerpt of the input in the message: it goes to logs, events and the DLQ
            String where = e instanceof JsonProcessingException jp && jp.getLocation() != null
                    ? " at line " + jp.getLocation().getLineNr() + ", column " + jp.getLocation().getColumnNr() : "";
            throw malformed("record", "not valid JSON" + where);
        }
        if (tree == null || !tree.isObject()) {
            throw malformed("record", "not a JSON object");
        }
        JsonNode schema = tree.get("schema");
        if (schema == null || schema.isNull()) {
            throw malformed("schema", "missing (expected " + Job.SCHEMA_VERSION + ")");
        }
        if (!schema.isIntegralNumber()) {
            throw malformed("schema", "must be an integer (expected " + Job.SCHEMA_VERSION + ")");
        }
        if (schema.asLong() != Job.SCHEMA_VERSION) {
            throw malformed("schema", "unsupported version " + schema.asText() + " (this code reads version " + Job.SCHEMA_VERSION + ")");
        }
        return tree;
    }

    private static <T> T bind(JsonNode tree, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw describe(e);
        } catch (IllegalArgumentException e) {
            throw malformed("record", firstLine(e));
        }
    }

    private static InvalidJobException describe(JsonProcessingException e) {
        String field = "record";
        if (e instanceof JsonMappingException jm && !jm.getPath().isEmpty()) {
            field = jm.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."))
                    .replace(".[", "[");
        }
        String raw = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher missing = MISSING.matcher(raw);
        if (missing.find()) {
            String name = missing.group(1);
            String f = field.equals("record") ? name : field.equals(name) || field.endsWith("." + name) ? field : field + "." + name;
            return malformed(f, "missing required field");
        }
        if (e instanceof ValueInstantiationException vi && vi.getCause() != null) {
            return malformed(field, firstLine(vi.getCause()));
        }
        if (e instanceof InvalidFormatException f) {
            return malformed(field, "wrong value: expected " + typeName(f.getTargetType()));
        }
        if (e instanceof MismatchedInputException mi) {
            if (raw.contains("unknown kind") || raw.contains("unknown event type")) {
                return malformed(field, raw);
            }
            return malformed(field, "wrong type: expected " + typeName(mi.getTargetType()));
        }
        return malformed(field, firstLine(e));
    }

    private static String typeName(Class<?> t) {
        if (t == null) {
            return "another type";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "an integer";
        }
        if (t == double.class || t == Double.class || t == float.class) {
            return "a number";
        }
        if (t == String.class) {
            return "a string";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == java.time.Instant.class) {
            return "an ISO-8601 time like 2026-01-31T12:00:00Z";
        }
        if (t == JobKind.class) {
            return "one of " + JobKind.allowed();
        }
        if (t.isRecord()) {
            return "an object";
        }
        if (java.util.Collection.class.isAssignableFrom(t)) {
            return "an array";
        }
        return t.getSimpleName();
    }

    private static void requireNonNull(String field, Object value) {
        if (value == null) {
            throw malformed(field, "missing required field (null)");
        }
    }

    private static InvalidJobException malformed(String field, String message) {
        return new InvalidJobException(FailureCode.MALFORMED, field, message);
    }

    private static String firstLine(Throwable e) {
        String m = e instanceof JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        m = nl >= 0 ? m.substring(0, nl) : m;
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }
}
