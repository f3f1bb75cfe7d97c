package io.imaginefleet.bot.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.imaginefleet.common.storage.BlobStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code fleetctl}: the operator's command line. It reads and writes Kafka with the apps' own connection
 * settings (environment {@code KAFKA_BOOTSTRAP_SERVERS} and friends, see {@link OpsConfig}); reads never join a
 * consumer group.
 */
@Command(name = "fleetctl", mixinStandardHelpOptions = true, version = "fleetctl 0.1",
        description = "Inspect and replay failed imagine-fleet jobs, look up any job, see the queue.",
        subcommands = {FleetCtl.Dlq.class, FleetCtl.Replay.class, FleetCtl.JobCmd.class, FleetCtl.Queue.class,
                CommandLine.HelpCommand.class})
public final class FleetCtl implements Callable<Integer> {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    @Option(names = "--bootstrap-servers", scope = CommandLine.ScopeType.INHERIT, paramLabel = "HOST:PORT,…",
            description = "Kafka brokers (default: $KAFKA_BOOTSTRAP_SERVERS, else localhost:9092)")
    String bootstrap;

    @Option(names = "--timeout", scope = CommandLine.ScopeType.INHERIT, paramLabel = "SECONDS", defaultValue = "60", description = "give up on Kafka after this long (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    final BufferedReader in;
    final PrintWriter out;
    final PrintWriter err;
    final Map<String, String> env;
    Clock clock = Clock.systemUTC();

    public FleetCtl(BufferedReader in, PrintWriter out, PrintWriter err, Map<String, String> env) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        quietKafkaLogs();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.exit(run(new FleetCtl(in, out, err, System.getenv()), args));
    }

    /** Kafka's clients log every reconnect; the CLI reports failures itself (FLEETCTL_DEBUG=1 shows them). */
    private static final List<java.util.logging.Logger> KEEP = new ArrayList<>();

    static void quietKafkaLogs() {
        if (System.getenv("FLEETCTL_DEBUG") == null) {
            java.util.logging.Logger kafka = java.util.logging.Logger.getLogger("org.apache.kafka");
            kafka.setLevel(java.util.logging.Level.SEVERE);
            java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
            root.setLevel(java.util.logging.Level.WARNING);
            KEEP.add(kafka); // JUL holds loggers weakly: keep them so the levels stick
            KEEP.add(root);
        }
    }

    /** Runs with the given arguments; returns the exit code (0 ok, 1 failure or refusal, 2 bad arguments). */
    public static int run(FleetCtl ctl, String... args) {
        CommandLine cl = new CommandLine(ctl);
        cl.setOut(ctl.out);
        cl.setErr(ctl.err);
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof OpsException || ex instanceof IllegalArgumentException) {
                ctl.err.println("fleetctl: " + ex.getMessage());
                ctl.err.flush();
                return 1;
            }
            if (ex instanceof org.apache.kafka.common.KafkaException) {
                ctl.err.println("fleetctl: Kafka at " + ctl.kafka().getProperty("bootstrap.servers") + ": " + ex.getMessage()
                        + " (is KAFKA_BOOTSTRAP_SERVERS right and the broker up?)");
                ctl.err.flush();
                return 1;
            }
            throw ex;
        });
        int rc = cl.execute(args);
        ctl.out.flush();
        ctl.err.flush();
        return rc;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(out);
        return 2;
    }

    Properties kafka() {
        return OpsConfig.kafkaProperties(env, bootstrap);
    }

    TopicScanner scanner() {
        return new TopicScanner(kafka(), Duration.ofSeconds(timeoutSeconds));
    }

    static String time(Instant t) {
        return t == null ? "" : TIME.format(t);
    }

    /** Filters shared by {@code dlq list} and {@code replay}. */
    static final class Filters {
        @Option(names = "--since", paramLabel = "T", description = "failed at or after T (ISO time, date, or age such as 2h)")
        String since;
        @Option(names = "--until", paramLabel = "T", description = "failed before T")
        String until;
        @Option(names = "--user", paramLabel = "ID", description = "requested by this Discord user id")
        String user;
        @Option(names = "--error", paramLabel = "CLASS", description = "error class (as in the DLQ header)")
        String error;
        @Option(names = "--model", paramLabel = "M", description = "model name")
        String model;

        DlqFilter toFilter(List<String> ids, Clock clock) {
            return new DlqFilter(ids == null ? null : new LinkedHashSet<>(ids), since == null ? null : TimeArg.parse(since, clock),
                    until == null ? null : TimeArg.parse(until, clock), user, error, model);
        }
    }

    @Command(name = "dlq", description = "The dead-letter queue (dlq.imagine.jobs).",
            subcommands = {Dlq.ListCmd.class, Dlq.Show.class})
    static final class Dlq implements Callable<Integer> {
        @ParentCommand
        FleetCtl root;

        @Override
        public Integer call() {
            new CommandLine(this).usage(root.out);
            return 2;
        }

        @Command(name = "list", description = "Failed jobs: time, user, kind, error class and message, attempts.")
        static final class ListCmd implements Callable<Integer> {
            @ParentCommand
            Dlq dlq;
            @Mixin
            Filters filters = new Filters();
            @Option(names = "--json", description = "one JSON array")
            boolean json;

            @Override
            public Integer call() throws IOException {
                FleetCtl root = dlq.root;
                List<DlqRecord> rows = new DlqReader(root.scanner()).list(filters.toFilter(null, root.clock));
                if (json) {
                    ArrayNode arr = JSON.createArrayNode();
                    rows.forEach(r -> arr.add(summary(r)));
                    root.out.println(JSON.writeValueAsString(arr));
                    return 0;
                }
                root.out.printf("%-20s  %-36s  %-20s  %-8s  %-16s  %3s  %s%n", "FAILED AT", "JOB", "USER", "KIND", "ERROR", "ATT", "MESSAGE");
                for (DlqRecord r : rows) {
                    root.out.printf("%-20s  %-36s  %-20s  %-8s  %-16s  %3d  %s%n", time(r.failedAt()), r.jobId(), r.userId(),
                            r.kind(), r.errorClass(), r.attempts(), oneLine(r.errorMessage(), 100));
                }
                root.out.println(rows.size() + " failed job(s)");
                return 0;
            }
        }

        @Command(name = "show", description = "One failed job and its error headers.")
        static final class Show implements Callable<Integer> {
            @ParentCommand
            Dlq dlq;
            @Parameters(paramLabel = "JOBID")
            String jobId;

            @Override
            public Integer call() throws IOException {
                FleetCtl root = dlq.root;
                var found = new DlqReader(root.scanner()).show(jobId);
                if (found.isEmpty()) {
                    root.err.println("fleetctl: job " + jobId + " is not in the DLQ");
                    return 1;
                }
                DlqRecord r = found.get();
                ObjectNode o = summary(r);
                o.set("headers", JSON.valueToTree(r.headers()));
                if (r.job() != null) {
                    o.set("job", r.job());
                } else {
                    o.put("value", oneLine(r.rawValue(), 2000));
                }
                o.put("partition", r.partition());
                o.put("offset", r.offset());
                root.out.println(JSON.writeValueAsString(o));
                return 0;
            }
        }
    }

    static ObjectNode summary(DlqRecord r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("jobId", r.jobId());
        o.put("failedAt", r.failedAt().toString());
        o.put("user", r.userId());
        o.put("kind", r.kind());
        o.put("model", r.model());
        o.put("errorClass", r.errorClass());
        o.put("errorMessage", r.errorMessage());
        o.put("attempts", r.attempts());
        o.put("worker", r.worker());
        if (r.replayOf() != null) {
            o.put("replayOf", r.replayOf());
        }
        return o;
    }

    static String oneLine(String s, int max) {
        String t = s == null ? "" : s.replaceAll("[\\r\\n\\t]+", " ");
        return t.length() > max ? t.substring(0, max - 1) + "…" : t;
    }

    @Command(name = "replay", description = {"Send failed jobs again to imagine.jobs with a new id and replayOf set.",
            "Give job ids, or filters (--all for every DLQ record). A job already replayed is refused unless --force."})
    static final class Replay implements Callable<Integer> {
        @ParentCommand
        FleetCtl root;
        @Parameters(paramLabel = "JOBID", arity = "0..*", description = "failed job ids")
        List<String> ids = new ArrayList<>();
        @Mixin
        Filters filters = new Filters();
        @Option(names = "--all", description = "every job in the DLQ that the filters (if any) match")
        boolean all;
        @Option(names = "--dry-run", description = "list what would be sent; send nothing")
        boolean dryRun;
        @Option(names = "--rate", paramLabel = "N", defaultValue = "5", description = "at most N jobs per second (default ${DEFAULT-VALUE}; 0 = no limit)")
        double rate;
        @Option(names = {"--yes", "-y"}, description = "do not ask for confirmation")
        boolean yes;
        @Option(names = "--force", description = "send even jobs that were already replayed")
        boolean force;
        @Option(names = "--json", description = "the plan and the result as JSON")
        boolean json;

        @Override
        public Integer call() throws IOException {
            DlqFilter filter = filters.toFilter(ids, root.clock);
            if (filter.isEmpty() && !all) {
                root.err.println("fleetctl: name the jobs to replay (JOBID…), filter them (--since/--until/--user/--error/--model) "
                        + "or pass --all");
                return 2;
            }
            List<DlqRecord> failed = new DlqReader(root.scanner()).list(filter);
            List<String> missing = new ArrayList<>();
            for (String id : ids) {
                if (failed.stream().noneMatch(r -> r.jobId().equals(id))) {
                    missing.add(id);
                }
            }
            Replayer replayer = new Replayer(root.kafka(), root.scanner());
            Replayer.Plan plan = replayer.plan(failed, force);
            if (!json || dryRun) {
                printPlan(plan, missing);
            }
            if (dryRun) {
                if (!json) {
                    root.out.println("dry run: nothing sent");
                }
                return 0;
            }
            if (plan.toSend().isEmpty()) {
                if (json) {
                    printPlan(plan, missing);
                } else {
                    root.out.println("nothing to send");
                }
                return missing.isEmpty() && plan.refused().isEmpty() ? 0 : 1;
            }
            if (!yes) {
                root.out.print("Send " + plan.toSend().size() + " job(s) to imagine.jobs? [y/N] ");
                root.out.flush();
                String answer = root.in.readLine();
                if (answer == null || !(answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
                    root.out.println("not sent");
                    return 1;
                }
            }
            String who = "fleetctl:" + root.env.getOrDefault("USER", "operator");
            List<String> sent = replayer.execute(plan, rate, who);
            if (json) {
                ObjectNode o = JSON.createObjectNode();
                ArrayNode arr = o.putArray("sent");
                for (Replayer.Item i : plan.toSend()) {
                    arr.addObject().put("replayOf", i.failed().jobId()).put("jobId", i.newJobId());
                }
                root.out.println(JSON.writeValueAsString(o));
            } else {
                root.out.println("sent " + sent.size() + " job(s); follow one with: fleetctl job <new id>");
            }
            return 0;
        }

        private void printPlan(Replayer.Plan plan, List<String> missing) throws IOException {
            if (json) {
                ObjectNode o = JSON.createObjectNode();
                ArrayNode arr = o.putArray("plan");
                for (Replayer.Item i : plan.items()) {
                    ObjectNode row = arr.addObject().put("jobId", i.failed().jobId()).put("decision", i.decision().name().toLowerCase());
                    if (i.newJobId() != null) {
                        row.put("newJobId", i.newJobId());
                    }
                    if (!i.earlier().isEmpty()) {
                        row.set("earlierReplays", JSON.valueToTree(i.earlier()));
                    }
                    if (!i.problems().isEmpty()) {
                        row.set("problems", JSON.valueToTree(i.problems()));
                    }
                }
                o.set("notInDlq", JSON.valueToTree(missing));
                o.put("dryRun", dryRun);
                root.out.println(JSON.writeValueAsString(o));
                return;
            }
            for (Replayer.Item i : plan.items()) {
                DlqRecord r = i.failed();
                switch (i.decision()) {
                    case SEND -> {
                        root.out.printf("send     %s → %s  (%s, %s, user %s%s)%n", r.jobId(), i.newJobId(), r.kind(), r.errorClass(),
                                r.userId(), i.earlier().isEmpty() ? "" : ", forced: replayed before as " + String.join(", ", i.earlier()));
                        if (!i.problems().isEmpty()) {
                            root.out.printf("         warning: still breaks the job rules, it will fail again: %s%n", String.join("; ", i.problems()));
                        }
                    }
                    case ALREADY_REPLAYED -> root.out.printf("refused  %s  already replayed as %s (use --force to send it again)%n",
                            r.jobId(), String.join(", ", i.earlier()));
                    case NOT_A_JOB -> root.out.printf("refused  %s  the DLQ record is not a JSON job%n", r.jobId());
                }
            }
            for (String id : missing) {
                root.out.printf("missing  %s  not in the DLQ%n", id);
            }
            root.out.printf("%d to send, %d refused, %d not found%n", plan.toSend().size(), plan.refused().size(), missing.size());
        }
    }

    @Command(name = "job", description = "A job's timeline: queued, accepted by which worker, progress, completed or failed.")
    static final class JobCmd implements Callable<Integer> {
        @ParentCommand
        FleetCtl root;
        @Parameters(paramLabel = "JOBID")
        String jobId;
        @Option(names = "--json")
        boolean json;
        @Option(names = "--urls", description = "also print presigned S3 links (1 h) to the results (S3_* settings as the apps)")
        boolean urls;

        @Override
        public Integer call() throws IOException {
            JobTimeline.View v = new JobTimeline(root.scanner()).of(jobId);
            if (!v.found()) {
                root.err.println("fleetctl: no job " + jobId + " on imagine.jobs, imagine.events or the DLQ");
                return 1;
            }
            if (json) {
                ObjectNode o = JSON.createObjectNode();
                o.put("jobId", jobId);
                o.put("state", v.state());
                o.set("job", v.job());
                ArrayNode arr = o.putArray("events");
                v.events().forEach(e -> arr.add(e.event() != null ? e.event() : JSON.createObjectNode().put("type", e.type())));
                if (v.dlq() != null) {
                    o.set("dlq", summary(v.dlq()));
                }
                root.out.println(JSON.writeValueAsString(o));
                return 0;
            }
            root.out.println("job " + jobId + "  state " + v.state());
            if (v.job() != null) {
                var j = v.job();
                root.out.printf("  %s %s %dx%d steps %s model %s user %s channel %s%s%n", j.path("kind").asText(),
                        '"' + oneLine(j.path("prompt").asText(), 60) + '"', j.path("width").asInt(), j.path("height").asInt(),
                        j.path("steps").asText(), j.path("model").asText(), j.path("requester").path("userId").asText(),
                        j.path("requester").path("channelId").asText(),
                        j.hasNonNull("replayOf") ? "  replay of " + j.get("replayOf").asText() : "");
                root.out.println("  " + time(parseInstant(j.path("createdAt").asText(null))) + "  queued");
            }
            for (JobTimeline.Entry e : v.events()) {
                root.out.printf("  %s  %-9s %s %s%n", time(e.at()), e.type(), e.workerId().isEmpty() ? "" : "[" + e.workerId() + "]", e.detail());
            }
            if (urls) {
                List<String> keys = new ArrayList<>();
                v.events().stream().filter(e -> e.type().equals("completed") && e.event() != null)
                        .forEach(e -> e.event().path("resultKeys").forEach(k -> keys.add(k.asText())));
                if (!keys.isEmpty()) {
                    try (BlobStore blobs = new BlobStore(OpsConfig.s3Settings(root.env))) {
                        for (String k : new LinkedHashSet<>(keys)) {
                            root.out.println("  " + k + "  " + blobs.presignedGet(k, Duration.ofHours(1)));
                        }
                    }
                }
            }
            if (v.dlq() != null) {
                root.out.printf("  %s  dlq       %s: %s (attempts %d) — fleetctl replay %s%n", time(v.dlq().failedAt()),
                        v.dlq().errorClass(), oneLine(v.dlq().errorMessage(), 100), v.dlq().attempts(), jobId);
            }
            return 0;
        }

        private static Instant parseInstant(String s) {
            try {
                return s == null ? null : Instant.parse(s);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    @Command(name = "queue", description = "Depth of the job queue and the workers consuming it (share group).")
    static final class Queue implements Callable<Integer> {
        @ParentCommand
        FleetCtl root;
        @Option(names = "--json")
        boolean json;

        @Override
        public Integer call() throws IOException {
            QueueInspector.Status s = new QueueInspector(root.kafka(), OpsContract.JOBS, OpsContract.WORKER_GROUP,
                    root.timeoutSeconds * 1000L).inspect();
            if (json) {
                root.out.println(JSON.writeValueAsString(s));
                return 0;
            }
            root.out.printf("queue %s  depth %d  share group %s (%s)  workers %d%n", s.topic(), s.depth(), s.group(), s.groupState(), s.members().size());
            for (QueueInspector.PartitionDepth p : s.partitions()) {
                root.out.printf("  partition %-3d end %-8d start %-8d lag %d%n", p.partition(), p.endOffset(), p.startOffset(), p.lag());
            }
            for (QueueInspector.Member m : s.members()) {
                root.out.printf("  worker %s  host %s  partitions %s  member %s%n", m.clientId(), m.host(), m.partitions(), m.memberId());
            }
            return 0;
        }
    }
}
