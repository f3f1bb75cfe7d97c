package io.imaginefleet.bot.ops;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.imaginefleet.common.job.InvalidJobException;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobValidator;
import io.imaginefleet.common.job.Violation;

/**
 * Sends failed jobs through again: each goes to {@code imagine.jobs} as a copy with a new id, {@code replayOf}
 * set to the failed job's id, {@code createdAt} now and its deadline moved by the same amount. The requester
 * (guild, channel, user) is kept, so the bot posts the result in the original channel.
 *
 * <p><b>How a second replay is recognised.</b> The job queue itself is the record: before planning, the whole
 * of {@code imagine.jobs} is read (without a group) and every job whose {@code replayOf} names a failed job
 * marks that job as replayed. No extra topic or state store is needed and the check also sees replays sent by
 * another operator or by the bot's {@code /admin replay}. Limits: a replay whose record has aged out of
 * {@code imagine.jobs} (topic retention) no longer counts, and two operators replaying the same job within the
 * same second can both send it (the worker's idempotent result keys make that harmless). {@code force} skips
 * the check.
 */
public final class Replayer {

    /** Header naming the job a record replays (also in the JSON as {@code replayOf}). */
    public static final String H_REPLAY_OF = "ops.replay-of";
    /** Header naming who asked for the replay (operator login or Discord user id). */
    public static final String H_REPLAYED_BY = "ops.replayed-by";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Properties clientProps;
    private final TopicScanner scanner;
    private final String jobsTopic;
    private final Clock clock;

    public Replayer(Properties clientProps, TopicScanner scanner) {
        this(clientProps, scanner, OpsContract.JOBS, Clock.systemUTC());
    }

    public Replayer(Properties clientProps, TopicScanner scanner, String jobsTopic, Clock clock) {
        this.clientProps = clientProps;
        this.scanner = scanner;
        this.jobsTopic = jobsTopic;
        this.clock = clock;
    }

    /** What a replay would do to one failed job. */
    public enum Decision { SEND, ALREADY_REPLAYED, NOT_A_JOB }

    /**
     * One line of a plan.
     *
     * @param failed     the DLQ record
     * @param decision   send, or why not
     * @param newJobId   the id the replay gets (SEND only)
     * @param newJob     the job that would be sent (SEND only)
     * @param earlier    ids of replays already on the queue for this job
     */
    public record Item(DlqRecord failed, Decision decision, String newJobId, ObjectNode newJob, List<String> earlier,
                       List<String> problems) {
        Item(DlqRecord failed, Decision decision, String newJobId, ObjectNode newJob, List<String> earlier) {
            this(failed, decision, newJobId, newJob, earlier, newJob == null ? List.of() : check(newJob));
        }
    }

    /**
     * What the shared job rules (common's codec and validator, as the bot and the worker use them) still object to
     * in a job about to be replayed: such a job will fail again unless the limits changed. Empty when it is valid.
     */
    static List<String> check(ObjectNode job) {
        try {
            Job decoded = JobCodec.decodeJob(JSON.writeValueAsBytes(job));
            return new JobValidator().violations(decoded).stream().map(Violation::toString).toList();
        } catch (InvalidJobException e) {
            return List.of(e.getMessage());
        } catch (Exception e) {
            return List.of(String.valueOf(e.getMessage()));
        }
    }

    /** The result of planning: nothing has been sent yet. */
    public record Plan(List<Item> items) {
        public List<Item> toSend() {
            return items.stream().filter(i -> i.decision() == Decision.SEND).toList();
        }

        public List<Item> refused() {
            return items.stream().filter(i -> i.decision() != Decision.SEND).toList();
        }
    }

    /** Plans the replay of {@code failed}; a job already replayed is refused unless {@code force}. Sends nothing. */
    public Plan plan(List<DlqRecord> failed, boolean force) {
        Map<String, List<String>> replays = existingReplays();
        List<Item> items = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (DlqRecord r : failed) {
            if (!seen.add(r.jobId())) {
                continue;
            }
            if (!r.replayable()) {
                items.add(new Item(r, Decision.NOT_A_JOB, null, null, List.of()));
                continue;
            }
            List<String> earlier = replays.getOrDefault(r.jobId(), List.of());
            if (!earlier.isEmpty() && !force) {
                items.add(new Item(r, Decision.ALREADY_REPLAYED, null, null, earlier));
                continue;
            }
            String newId = UUID.randomUUID().toString();
            items.add(new Item(r, Decision.SEND, newId, replayJob(r.job(), r.jobId(), newId), earlier));
        }
        return new Plan(items);
    }

    /**
     * Sends the plan's SEND items, at most {@code ratePerSecond} per second (0 or less = no limit), waiting for
     * each write to be acknowledged by the broker. Returns the new job ids in order.
     */
    public List<String> execute(Plan plan, double ratePerSecond, String replayedBy) {
        List<Item> send = plan.toSend();
        List<String> sent = new ArrayList<>();
        if (send.isEmpty()) {
            return sent;
        }
        Properties p = new Properties();
        p.putAll(clientProps);
        p.remove("group.id");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "fleetctl-replay");
        long intervalNanos = ratePerSecond > 0 ? (long) (1_000_000_000L / ratePerSecond) : 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            long next = System.nanoTime();
            for (Item item : send) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next = Math.max(next, System.nanoTime()) + intervalNanos;
                ProducerRecord<String, byte[]> rec = new ProducerRecord<>(jobsTopic, item.newJobId(),
                        JSON.writeValueAsBytes(item.newJob()));
                rec.headers().add(H_REPLAY_OF, item.failed().jobId().getBytes(StandardCharsets.UTF_8));
                if (replayedBy != null && !replayedBy.isBlank()) {
                    rec.headers().add(H_REPLAYED_BY, replayedBy.getBytes(StandardCharsets.UTF_8));
                }
                producer.send(rec).get(30, TimeUnit.SECONDS);
                sent.add(item.newJobId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpsException("replay interrupted after " + sent.size() + " job(s): " + sent);
        } catch (ExecutionException | TimeoutException e) {
            Throwable c = e instanceof ExecutionException ? e.getCause() : e;
            throw new OpsException("replay stopped after " + sent.size() + " job(s) " + sent
                    + ": could not write to " + jobsTopic + " (" + c.getClass().getSimpleName() + ")", c);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new OpsException("could not encode a replayed job: " + e.getOriginalMessage(), e);
        }
        return sent;
    }

    /** failed job id → ids of jobs on the queue that replay it. */
    Map<String, List<String>> existingReplays() {
        Map<String, List<String>> out = new HashMap<>();
        scanner.scan(jobsTopic, r -> {
            String of = null;
            var h = r.headers().lastHeader(H_REPLAY_OF);
            if (h != null && h.value() != null) {
                of = new String(h.value(), StandardCharsets.UTF_8);
            } else if (r.value() != null) {
                try {
                    JsonNode n = JSON.readTree(r.value());
                    if (n != null && n.hasNonNull("replayOf")) {
                        of = n.get("replayOf").asText();
                    }
                } catch (Exception notJson) {
                    // a malformed job on the queue replays nothing
                }
            }
            if (of != null && !of.isBlank()) {
                out.computeIfAbsent(of, k -> new ArrayList<>()).add(r.key());
            }
        });
        return out;
    }

    /** The job to send: a copy with a new id, replayOf, createdAt = now and the deadline moved along. */
    ObjectNode replayJob(ObjectNode original, String originalId, String newId) {
        ObjectNode job = original.deepCopy();
        Instant now = clock.instant();
        Instant created = readInstant(original.get("createdAt"));
        Instant deadline = readInstant(original.get("deadline"));
        job.put("id", newId);
        job.put("replayOf", originalId);
        writeInstant(job, "createdAt", original.get("createdAt"), now);
        if (deadline != null) {
            Duration budget = created != null && deadline.isAfter(created) ? Duration.between(created, deadline) : Duration.ofHours(1);
            writeInstant(job, "deadline", original.get("deadline"), now.plus(budget));
        }
        return job;
    }

    private static Instant readInstant(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        try {
            if (n.isNumber()) {
                // Jackson's JavaTimeModule writes epoch seconds with nanos as a decimal; plain longs are millis
                return n.isIntegralNumber() ? Instant.ofEpochMilli(n.asLong())
                        : Instant.ofEpochSecond(n.decimalValue().longValue(),
                        n.decimalValue().remainder(java.math.BigDecimal.ONE).movePointRight(9).longValue());
            }
            return Instant.parse(n.asText());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Writes {@code value} in the same representation the original used (ISO text unless it was a number). */
    private static void writeInstant(ObjectNode job, String field, JsonNode like, Instant value) {
        if (like != null && like.isIntegralNumber()) {
            job.put(field, value.toEpochMilli());
        } else if (like != null && like.isNumber()) {
            job.put(field, new java.math.BigDecimal(value.getEpochSecond()).add(java.math.BigDecimal.valueOf(value.getNano(), 9)));
        } else {
            job.put(field, value.toString());
        }
    }
}
