package io.imaginefleet.bot.flow;

import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.bot.core.FleetBot;
import io.imaginefleet.bot.discord.DiscordStandIn.Interaction;
import io.imaginefleet.bot.discord.DiscordStandIn.Option;
import io.imaginefleet.bot.discord.DiscordStandIn.User;
import io.imaginefleet.bot.discord.RestCall;
import io.imaginefleet.worker.fleet.WorkerMain;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.storage.S3Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Soak harness: one machine, a real Kafka broker (restarted on its log dir), a real S3 server (stopped for a while),
 * the bot against the Discord stand-in (restarted), and worker JVMs on the tiny model that are SIGKILLed at random
 * and restarted. Submits {@code jobs} /imagine commands as Discord users would and then checks every job: completed,
 * failed (with the reason the user saw), lost (no answer at all) or posted twice. {@link #main} prints the table and
 * exits non-zero when a job was lost or posted twice; {@code ShortSoakTest} runs a short one in the suite.
 */
public final class Soak {
    /** What to run. */
    public record Options(int jobs, int workers, int kills, boolean brokerRestart, boolean s3Outage, Duration s3OutageLength,
                          boolean botRestart, Duration submitEvery, Duration timeout, long seed) {
        static Options fromSystemProperties() {
            return new Options(Integer.getInteger("soak.jobs", 200), Integer.getInteger("soak.workers", 3),
                    Integer.getInteger("soak.kills", 6), !Boolean.getBoolean("soak.noBrokerRestart"),
                    !Boolean.getBoolean("soak.noS3Outage"), Duration.ofSeconds(Integer.getInteger("soak.s3OutageSeconds", 20)),
                    !Boolean.getBoolean("soak.noBotRestart"), Duration.ofMillis(Integer.getInteger("soak.submitEveryMs", 300)),
                    Duration.ofMinutes(Integer.getInteger("soak.timeoutMinutes", 30)), Long.getLong("soak.seed", 42L));
        }
    }

    /** Where a job ended as far as its user can tell. */
    public enum State {
        /** The result was posted. */ COMPLETED,
        /** A worker could not make it; the user was told why. */ FAILED,
        /** The bot told the user it could not take the job (ephemeral answer); nothing runs. */ REFUSED,
        /** The user never got a final answer. */ LOST;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One submitted job's fate, from what the bot sent through the stand-in: every call on its interaction token
     * (acknowledgement, edits of the original response, ephemeral follow-ups) and channel posts that name its prompt.
     *
     * @param posts          final messages (result or failure) posted for it: more than one is a duplicate
     * @param lastSeen       the last text its user saw (for outstanding jobs: the last known state)
     * @param onJobsTopic    whether the job reached {@code imagine.jobs} (null when not checked)
     */
    public record Outcome(int index, String prompt, String jobId, State state, String reason, int posts, long millisToResult,
                          String lastSeen, Boolean onJobsTopic) {
        String describe() {
            return String.format("job %d (%s) %s%s, %d final post(s), on imagine.jobs: %s, last seen: %s", index,
                    jobId == null ? "no job id seen" : jobId, state.label(), reason == null ? "" : " (" + reason + ")", posts,
                    onJobsTopic == null ? "?" : onJobsTopic ? "yes" : "no", lastSeen == null ? "(nothing)" : oneLine(lastSeen));
        }
    }

    /** The soak's figures. */
    public record Report(int submitted, int completed, int failed, int refused, int lost, int postedTwice, long p50Millis,
                         long p95Millis, int workerKills, int brokerRestarts, int s3Outages, int botRestarts,
                         Map<String, Integer> failureReasons, Map<String, Integer> refusalReasons, List<Outcome> outcomes,
                         boolean timedOut, double loadAverage, long wallMillis, List<String> secretLeaks) {
        public boolean ok() {
            return lost == 0 && postedTwice == 0 && secretLeaks.isEmpty();
        }

        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("%-32s %8s%n", "soak figure", "value"));
            row(sb, "jobs submitted", submitted);
            row(sb, "completed", completed);
            row(sb, "failed (worker, with reason)", failed);
            failureReasons.forEach((r, n) -> sb.append(String.format("    %4d × %s%n", n, r)));
            row(sb, "refused (bot, with reason)", refused);
            refusalReasons.forEach((r, n) -> sb.append(String.format("    %4d × %s%n", n, r)));
            row(sb, "lost (no answer)", lost);
            row(sb, "posted twice", postedTwice);
            row(sb, "p50 time to result (ms)", p50Millis);
            row(sb, "p95 time to result (ms)", p95Millis);
            row(sb, "worker SIGKILLs survived", workerKills);
            row(sb, "broker restarts survived", brokerRestarts);
            row(sb, "S3 outages survived", s3Outages);
            row(sb, "bot restarts survived", botRestarts);
            row(sb, "secrets found in logs/Kafka", secretLeaks.size());
            secretLeaks.forEach(l -> sb.append("    ").append(l).append('\n'));
            sb.append(String.format("%-32s %8s%n", "wall time (s)", wallMillis / 1000));
            sb.append(String.format("%-32s %8.1f%n", "load average (1 min, end)", loadAverage));
            if (timedOut) sb.append("timed out waiting for answers; outstanding jobs:\n");
            for (Outcome o : outcomes) {
                if (o.state() == State.LOST || o.posts() > 1) sb.append("  ").append(o.describe()).append('\n');
            }
            return sb.toString();
        }

        private static void row(StringBuilder sb, String name, long v) {
            sb.append(String.format("%-32s %8d%n", name, v));
        }
    }

    /** Deliveries a worker gives a job before it fails it (kills and the S3 outage each cost one). */
    static final int WORKER_MAX_ATTEMPTS = 8;
    /** Job i is submitted by user USER_BASE + i (one job per user: no per-user limit gets in the way). */
    static final long USER_BASE = 900_000L;

    private Soak() {}

    /** Held so the levels stick (JUL keeps loggers weakly). */
    private static final List<java.util.logging.Logger> LEVELS = new ArrayList<>();

    /**
     * The bot's production log levels (application.properties: root INFO, JDA INFO, Kafka WARN). Run outside Maven
     * with the JBoss log manager and no configuration, every logger is at TRACE: 900k lines per soak, and JDA's and
     * the stand-in's TRACE lines print request routes and gateway frames, which hold tokens.
     */
    static void productionLogLevels() {
        for (String[] l : new String[][] {{"", "INFO"}, {"net.dv8tion", "INFO"}, {"org.java_websocket", "INFO"},
                {"org.apache.kafka", "WARN"}, {"kafka", "WARN"}}) {
            java.util.logging.Logger logger = java.util.logging.Logger.getLogger(l[0]);
            logger.setLevel(java.util.logging.Level.parse(l[1].equals("WARN") ? "WARNING" : l[1]));
            LEVELS.add(logger);
        }
    }

    public static void main(String[] args) throws Exception {
        productionLogLevels();
        Report r = run(Options.fromSystemProperties());
        System.out.println(r.table());
        System.out.println(r.ok() ? "SOAK PASSED" : "SOAK FAILED: jobs lost or posted twice, or a secret leaked");
        System.exit(r.ok() ? 0 : 1);
    }

    /** Runs a soak and returns its report (never throws for a lost job: the report says so). */
    public static Report run(Options o) throws Exception {
        long t0 = System.currentTimeMillis();
        Random random = new Random(o.seed());
        Path logs = Files.createDirectories(Path.of("target", "soak", "run-" + t0));
        List<Process> workers = new ArrayList<>();
        int[] restarts = new int[4];
        try (LogCapture logCapture = LogCapture.install(); FleetEnv env = new FleetEnv()) {
            // the broker archives a record silently after share.delivery.count.limit deliveries (default 5): the workers'
            // own limit (WORKER_MAX_ATTEMPTS, which answers the user and writes the DLQ) must stay below it. The lock is the
            // default 30 s: a busy worker's lock renewal polls, and each poll may acquire (and so count a delivery of) the
            // record at the head of the queue, so renewals must stay rare for short jobs
            env.kafka.setGroupConfig(Topics.WORKER_SHARE_GROUP, Map.of("share.auto.offset.reset", "earliest",
                    "share.record.lock.duration.ms", "30000", "share.delivery.count.limit", String.valueOf(WORKER_MAX_ATTEMPTS + 2)));
            BotSettings settings = env.settings().withLimits(100_000, 100_000, List.of());
            FleetBot[] bot = {env.startBot(settings)};
            int nextWorker = 0;
            for (; nextWorker < o.workers(); nextWorker++) workers.add(startWorker(env, nextWorker, logs));

            String run = UUID.randomUUID().toString().substring(0, 6);
            List<String> prompts = new ArrayList<>();
            List<Long> submittedAt = new ArrayList<>();
            List<User> users = new ArrayList<>();
            List<Interaction> interactions = new ArrayList<>();
            List<Integer> killAt = new ArrayList<>();
            for (int k = 0; k < o.kills(); k++) killAt.add((int) ((k + 1) * (long) o.jobs() / (o.kills() + 1)));
            int brokerAt = o.brokerRestart() ? o.jobs() / 2 : -1;
            int s3At = o.s3Outage() ? o.jobs() / 3 : -1;
            int botAt = o.botRestart() ? (2 * o.jobs()) / 3 : -1;

            for (int i = 0; i < o.jobs(); i++) {
                if (killAt.contains(i)) {
                    int victim = random.nextInt(workers.size());
                    workers.get(victim).destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL
                    workers.set(victim, startWorker(env, nextWorker++, logs));
                    restarts[0]++;
                    log("job %d: SIGKILLed worker %d, started worker %d", i, victim, nextWorker - 1);
                }
                if (i == brokerAt) {
                    long b0 = System.currentTimeMillis();
                    env.kafka.restart();
                    restarts[1]++;
                    log("job %d: broker restarted (%d ms)", i, System.currentTimeMillis() - b0);
                }
                if (i == s3At) {
                    env.s3.stop();
                    log("job %d: S3 server stopped for %d s", i, o.s3OutageLength().toSeconds());
                    Thread s3Back = new Thread(() -> {
                        sleep(o.s3OutageLength().toMillis());
                        env.s3.start();
                        log("S3 server back");
                    }, "s3-back");
                    s3Back.start();
                    restarts[2]++;
                }
                if (i == botAt) {
                    long b0 = System.currentTimeMillis();
                    bot[0].close();
                    bot[0] = env.startBot(settings);
                    restarts[3]++;
                    log("job %d: bot restarted (%d ms)", i, System.currentTimeMillis() - b0);
                }
                User u = new User(USER_BASE + i, "soak" + i);
                String prompt = "soak " + run + " job " + i;
                users.add(u);
                prompts.add(prompt);
                submittedAt.add(System.currentTimeMillis());
                interactions.add(env.discord.slash(u, "imagine", Option.string("prompt", prompt), Option.integer("steps", 2),
                        Option.integer("width", 64), Option.integer("height", 64), Option.integer("seed", i)));
                sleep(o.submitEvery().toMillis());
            }
            log("all %d jobs submitted after %d s; waiting for every answer (at most %d min)", o.jobs(),
                    (System.currentTimeMillis() - t0) / 1000, o.timeout().toMinutes());

            // wait until every job has an answer (result, failure or refusal); stop at once when all have one
            // (or when nothing changed for soak.stallMinutes: the rest will not come)
            long deadline = System.currentTimeMillis() + o.timeout().toMillis();
            long stallMillis = Duration.ofMinutes(Integer.getInteger("soak.stallMinutes", 5)).toMillis();
            long nextProgress = 0;
            long lastChange = System.currentTimeMillis();
            long lastOpen = -1;
            boolean timedOut = false;
            List<Outcome> outcomes;
            while (true) {
                outcomes = outcomes(env, prompts, interactions, submittedAt, null);
                long open = outcomes.stream().filter(x -> x.state() == State.LOST).count();
                if (open == 0) break;
                if (open != lastOpen) {
                    lastOpen = open;
                    lastChange = System.currentTimeMillis();
                }
                if (System.currentTimeMillis() > deadline || System.currentTimeMillis() - lastChange > stallMillis) {
                    timedOut = true;
                    break;
                }
                if (System.currentTimeMillis() >= nextProgress) {
                    log("%s; %d without an answer yet", counts(outcomes), open);
                    nextProgress = System.currentTimeMillis() + 30_000;
                }
                sleep(2000);
            }
            sleep(3000); // let duplicates, if any, arrive
            outcomes = outcomes(env, prompts, interactions, submittedAt, env.jobs());
            log("%s%s", counts(outcomes), timedOut ? " — stopped waiting (timeout " + o.timeout().toMinutes()
                    + " min, or no answer for " + stallMillis / 60_000 + " min)" : "");
            if (outcomes.stream().anyMatch(x -> x.state() == State.LOST)) {
                Map<String, String> lastEvent = lastEvents(env);
                Set<String> dlq = new HashSet<>();
                env.records(Topics.DLQ).forEach(r -> dlq.add(r.key()));
                for (Outcome x : outcomes) {
                    if (x.state() != State.LOST) continue;
                    log("  outstanding: %s; last event: %s%s", x.describe(), x.jobId() == null ? "?" : lastEvent.getOrDefault(x.jobId(), "none"),
                            x.jobId() != null && dlq.contains(x.jobId()) ? "; in the DLQ" : "");
                }
            }
            for (Process p : workers) p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            workers.clear();

            // secrets check: bot JVM logs, every worker process's output, every record on every topic (line by line: the
            // bot's log of a full soak is too large to join into one string)
            List<String> leaks = new ArrayList<>();
            Set<String> tokens = new HashSet<>(env.discord.issuedTokens());
            java.util.regex.Pattern tokenPattern = java.util.regex.Pattern.compile("itok-[0-9a-f-]{36}");
            Set<String> leakedTokens = new java.util.TreeSet<>();
            boolean[] found = new boolean[2];
            java.util.function.Consumer<String> scan = line -> {
                if (line.contains(io.imaginefleet.bot.discord.DiscordStandIn.BOT_TOKEN)) found[0] = true;
                if (line.contains(FleetEnv.S3_SECRET)) found[1] = true;
                var m = tokenPattern.matcher(line);
                while (m.find()) if (tokens.contains(m.group())) leakedTokens.add(m.group());
            };
            try (var w = Files.newBufferedWriter(logs.resolve("bot.log"))) {
                for (String line : logCapture.lines()) {
                    scan.accept(line);
                    w.write(line);
                    w.newLine();
                }
            }
            env.kafkaText().lines().forEach(scan);
            for (int n = 0; n < nextWorker; n++) {
                Path f = logs.resolve(logName(n));
                if (Files.exists(f)) {
                    try (var lines = Files.lines(f)) {
                        lines.forEach(scan);
                    }
                }
            }
            if (found[0]) leaks.add("bot token");
            if (found[1]) leaks.add("S3 secret key");
            for (String t : leakedTokens) leaks.add("interaction token " + t.substring(0, 6) + "…");
            log("%d bot log lines checked for secrets; logs in %s (bot.log, worker-N.log)", logCapture.size(), logs.toAbsolutePath());

            List<Long> times = new ArrayList<>();
            Map<String, Integer> failures = new LinkedHashMap<>();
            Map<String, Integer> refusals = new LinkedHashMap<>();
            int completed = 0, failed = 0, refused = 0, lost = 0, twice = 0;
            for (Outcome x : outcomes) {
                switch (x.state()) {
                    case COMPLETED -> {
                        completed++;
                        times.add(x.millisToResult());
                    }
                    case FAILED -> {
                        failed++;
                        failures.merge(x.reason(), 1, Integer::sum);
                    }
                    case REFUSED -> {
                        refused++;
                        refusals.merge(x.reason(), 1, Integer::sum);
                    }
                    case LOST -> lost++;
                }
                if (x.posts() > 1) twice++;
            }
            Collections.sort(times);
            return new Report(o.jobs(), completed, failed, refused, lost, twice, pct(times, 50), pct(times, 95), restarts[0],
                    restarts[1], restarts[2], restarts[3], failures, refusals, outcomes, timedOut, loadAverage(),
                    System.currentTimeMillis() - t0, leaks);
        } finally {
            for (Process p : workers) p.destroyForcibly();
        }
    }

    /** Each job's last event on {@code imagine.events}: type, worker and (for failures) the reason. */
    private static Map<String, String> lastEvents(FleetEnv env) {
        Map<String, String> last = new java.util.HashMap<>();
        for (var r : env.records(Topics.EVENTS)) {
            try {
                JobEvent e = JobCodec.decodeEvent(r.value());
                last.put(e.jobId(), e.type().wireName() + " from " + e.workerId() + (e.message() == null ? "" : " (" + e.message() + ")"));
            } catch (RuntimeException ex) {
                // not an event the fleet wrote
            }
        }
        return last;
    }

    private static String counts(List<Outcome> outcomes) {
        Map<State, Long> n = new java.util.EnumMap<>(State.class);
        for (Outcome x : outcomes) n.merge(x.state(), 1L, Long::sum);
        return String.format("%d completed, %d failed, %d refused, %d lost/outstanding", n.getOrDefault(State.COMPLETED, 0L),
                n.getOrDefault(State.FAILED, 0L), n.getOrDefault(State.REFUSED, 0L), n.getOrDefault(State.LOST, 0L));
    }

    /**
     * Each job's outcome from the calls the bot made to the stand-in. A job's final message is an edit of its original
     * response or a channel post (after a bot restart, or once the token is old) that shows its prompt with ✅ or
     * "could not be made"; a refusal is an ephemeral answer on its interaction token (immediate or follow-up).
     */
    private static List<Outcome> outcomes(FleetEnv env, List<String> prompts, List<Interaction> interactions, List<Long> submittedAt,
                                          List<Job> jobsOnTopic) {
        Set<String> onTopic = new HashSet<>();
        Map<String, String> jobByUser = new java.util.HashMap<>();
        if (jobsOnTopic != null) {
            for (Job j : jobsOnTopic) {
                onTopic.add(j.id());
                if (j.requester() != null) jobByUser.put(j.requester().userId(), j.id());
            }
        }
        List<RestCall> calls = env.discord.calls();
        Map<String, List<RestCall>> byToken = new java.util.HashMap<>();
        List<RestCall> untokened = new ArrayList<>();
        for (RestCall c : calls) {
            if (c.token() != null) byToken.computeIfAbsent(c.token(), k -> new ArrayList<>()).add(c);
            else untokened.add(c);
        }
        List<Outcome> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String shown = "**" + prompts.get(i) + "**"; // how Messages renders the prompt: "job 1" never matches "job 12"
            List<RestCall> mine = byToken.getOrDefault(interactions.get(i).token(), List.of());
            String jobId = null;
            String lastSeen = mine.isEmpty() ? null : "(no answer yet)";
            String refusal = null;
            List<RestCall> finals = new ArrayList<>();
            for (RestCall c : mine) {
                for (String b : c.buttonIds()) {
                    if (b.startsWith("imagine:x:") || b.startsWith("imagine:r:")) jobId = b.substring(10);
                }
                if (c.isCallback()) {
                    if (c.json() != null && c.json().path("type").asInt() == 4) { // immediate reply: a precheck refusal
                        lastSeen = c.json().path("data").path("content").asText();
                        if ((c.json().path("data").path("flags").asInt() & 64) != 0) refusal = lastSeen;
                    } else {
                        lastSeen = "(deferred: \"thinking…\")";
                    }
                    continue;
                }
                if (c.method().equals("DELETE")) continue;
                if (!c.content().isEmpty()) lastSeen = c.content();
                boolean followUp = c.method().equals("POST") && c.path().split("/").length == 3;
                if (followUp && (c.json() == null || (c.json().path("flags").asInt() & 64) != 0) && !c.content().contains(shown)) {
                    refusal = c.content();
                } else if (isFinal(c, shown)) {
                    finals.add(c);
                }
            }
            for (RestCall c : untokened) {
                if (c.content().contains(shown) && isFinal(c, shown)) {
                    finals.add(c);
                    lastSeen = c.content();
                }
            }
            finals.sort(java.util.Comparator.comparingLong(RestCall::at));
            for (RestCall c : finals) {
                for (String b : c.buttonIds()) if (b.startsWith("imagine:r:")) jobId = b.substring(10);
            }
            State state;
            String reason = null;
            long millis = -1;
            if (!finals.isEmpty()) {
                RestCall first = finals.get(0);
                boolean ok = first.content().contains("✅");
                state = ok ? State.COMPLETED : State.FAILED;
                if (!ok) {
                    String t = first.content();
                    int at = t.indexOf("could not be made:");
                    reason = oneLine(at < 0 ? t : t.substring(at + "could not be made:".length()).trim());
                }
                millis = first.at() - submittedAt.get(i);
            } else if (refusal != null) {
                state = State.REFUSED;
                reason = oneLine(refusal);
            } else {
                state = State.LOST;
            }
            if (jobId == null) jobId = jobByUser.get(String.valueOf(USER_BASE + i));
            Boolean topic = jobsOnTopic == null ? null : jobId != null && onTopic.contains(jobId);
            out.add(new Outcome(i, prompts.get(i), jobId, state, reason, finals.size(), millis, lastSeen, topic));
        }
        return out;
    }

    /** A result ("✅ prompt") or a failure ("❌ prompt — could not be made: …") for the job showing {@code shown}. */
    private static boolean isFinal(RestCall c, String shown) {
        String t = c.content();
        return t.contains(shown) && (t.contains("✅ " + shown) || (t.contains("❌ " + shown) && t.contains("could not be made")));
    }

    private static String oneLine(String s) {
        int nl = s.indexOf('\n');
        String l = nl < 0 ? s : s.substring(0, nl);
        return l.length() > 200 ? l.substring(0, 200) + "…" : l;
    }

    private static void log(String fmt, Object... args) {
        System.out.printf("soak %tT  %s%n", System.currentTimeMillis(), String.format(fmt, args));
        System.out.flush();
    }

    private static Process startWorker(FleetEnv env, int n, Path logs) throws Exception {
        S3Settings s3 = env.s3.settings("imagine");
        Path models = Path.of(System.getProperty("fixtures.dir", "../worker/src/test/fixtures/sd-tiny")).resolve("models");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager"));
        String djlCache = System.getProperty("DJL_CACHE_DIR", System.getenv("DJL_CACHE_DIR"));
        if (djlCache != null) cmd.add("-DDJL_CACHE_DIR=" + djlCache);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WorkerMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> e = pb.environment();
        if (djlCache != null) e.put("DJL_CACHE_DIR", djlCache);
        e.put("WORKER_ID", "soak-worker-" + n);
        e.put("KAFKA_BOOTSTRAP_SERVERS", env.kafka.bootstrapServers());
        e.put("S3_ENDPOINT", s3.endpoint().toString());
        e.put("S3_REGION", s3.region());
        e.put("S3_BUCKET", s3.bucket());
        e.put("S3_ACCESS_KEY", s3.accessKey());
        e.put("S3_SECRET_KEY", s3.secretKey());
        e.put("S3_PATH_STYLE", String.valueOf(s3.pathStyle()));
        e.put("WORKER_MODEL_DIR", models.toAbsolutePath().toString());
        e.put("WORKER_MODEL_NAME", FleetEnv.MODEL);
        e.put("WORKER_PROGRESS_EVERY", "1");
        e.put("WORKER_MAX_ATTEMPTS", String.valueOf(WORKER_MAX_ATTEMPTS));
        e.put("WORKER_DRAIN_GRACE", "5s");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(logName(n)).toFile()));
        return pb.start();
    }

    private static String logName(int n) {
        return "worker-" + n + ".log";
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) return -1;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
