package io.imaginefleet.worker.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.imaginefleet.common.embedded.EmbeddedKafka;
import io.imaginefleet.common.embedded.EmbeddedS3;
import io.imaginefleet.common.job.InvalidJobException;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobValidator;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.storage.BlobStore;
import io.imaginefleet.common.storage.S3Settings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/imagine}: the whole fleet path on one machine, in this one JVM — an in-process Kafka broker (KRaft), an
 * S3 server (S3Proxy, objects as files under {@code data/s3}), one worker on the given model, and the command-line
 * front end ({@link LocalFrontEnd}) that sends the job through Kafka as the bot does and writes the result PNGs.
 * With {@code --serve} the stack stays up for other clients (the bot, {@code bin/fleetctl}); the bot is started
 * beside it when {@code DISCORD_TOKEN} is set.
 */
@Command(name = "imagine", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate an image through the whole imagine-fleet path on this machine:",
                "embedded Kafka + S3, one worker, and a front end that sends the job as the Discord bot does."})
public final class LocalRun implements Callable<Integer> {

    /** The demo model, relative to the project root: the tiny random-weight model of the test fixtures. */
    static final String DEMO_MODEL = "worker/src/test/fixtures/sd-tiny/models/tiny-sd";
    static final String BUCKET = "imagine-local";

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT", description = "what to draw")
    String prompt;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out", description = "where the PNGs go (default ${DEFAULT-VALUE})")
    Path outDir;

    @Option(names = "--model", paramLabel = "DIR", description = "a diffusers model folder (default: the built-in demo model: random weights, the picture is noise)")
    Path model;

    @Option(names = "--negative", paramLabel = "TEXT", description = "negative prompt")
    String negative;

    @Option(names = "--steps", paramLabel = "N", description = "denoising steps (default 10 on the demo model, 25 otherwise)")
    Integer steps;

    @Option(names = "--guidance", paramLabel = "G", defaultValue = "7.5", description = "classifier-free guidance (default ${DEFAULT-VALUE})")
    double guidance;

    @Option(names = "--scheduler", paramLabel = "NAME", defaultValue = "dpmpp-2m",
            description = "ddim|pndm|lms|euler|euler-a|dpmpp-2m|dpmpp-2m-karras|ddpm (default ${DEFAULT-VALUE})")
    String scheduler;

    @Option(names = "--width", paramLabel = "W", description = "pixels, multiple of 8 (default: the model's native size; 64 on the demo model)")
    Integer width;

    @Option(names = "--height", paramLabel = "H", description = "pixels, multiple of 8 (default as --width)")
    Integer height;

    @Option(names = "--seed", paramLabel = "S", description = "seed (default: random)")
    Long seed;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1", description = "images, 1-4 (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--device", paramLabel = "cpu|cuda", defaultValue = "cpu", description = "engine device (cuda needs PYTORCH_LIBRARY_PATH)")
    String device;

    @Option(names = "--serve", description = "keep Kafka, S3 and the worker up (and the bot if DISCORD_TOKEN is set) until Ctrl-C")
    boolean serve;

    @Option(names = "--data", paramLabel = "DIR", description = "local state (default: <project>/data)")
    Path data;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900", description = "give up waiting for the result (default ${DEFAULT-VALUE})")
    long timeoutSeconds;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Path home;

    LocalRun(PrintStream out, PrintStream err, Map<String, String> env, Path home) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.home = home;
    }

    public static void main(String[] args) {
        quietLogs();
        Path home = Path.of(System.getProperty("imagine.home", ".")).toAbsolutePath().normalize();
        System.exit(execute(new LocalRun(System.out, System.err, System.getenv(), home), args));
    }

    /** Runs with {@code args}; returns the exit code (0 done, 1 failed job or bad value, 2 bad usage). */
    static int execute(LocalRun run, String... args) {
        CommandLine cl = new CommandLine(run);
        cl.setOut(new java.io.PrintWriter(run.out, true));
        cl.setErr(new java.io.PrintWriter(run.err, true));
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof InvalidJobException || ex instanceof IOException) {
                run.err.println("imagine: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        if (prompt == null && !serve) {
            err.println("imagine: give a PROMPT (or --serve to keep the local stack up); see --help");
            return 2;
        }
        Path modelDir = model != null ? model.toAbsolutePath().normalize() : home.resolve(DEMO_MODEL);
        if (!Files.isRegularFile(modelDir.resolve("model_index.json"))) {
            err.println("imagine: " + modelDir + " is not a diffusers model folder (no model_index.json)");
            return 2;
        }
        boolean demo = model == null;
        if (demo) {
            err.println("Using the built-in demo model (" + DEMO_MODEL + "): tiny, random weights, so the picture will be noise.");
            err.println("For real pictures pass --model DIR with a diffusers folder, e.g. stable-diffusion-v1-5 (see README, 'Getting real weights').");
        }
        String modelName = modelName(modelDir);
        int[] native_ = nativeSize(modelDir);
        int w = width != null ? width : (height != null ? height : (demo ? 64 : native_[0]));
        int h = height != null ? height : (width != null ? width : (demo ? 64 : native_[1]));
        int n = steps != null ? steps : (demo ? 10 : 25);
        Path dataDir = (data != null ? data : home.resolve("data")).toAbsolutePath().normalize();

        Job job = null;
        if (prompt != null) {
            job = Job.txt2img(Job.newId(), modelName, prompt, w, h, n, new Requester(null, null, "local:" + env.getOrDefault("USER", "user"), null))
                    .withNegativePrompt(negative).withGuidance(guidance).withScheduler(scheduler.toLowerCase(Locale.ROOT))
                    .withSeed(seed).withCount(count);
            new JobValidator().validate(job); // clear error before anything starts
        }

        long t0 = System.nanoTime();
        Path kafkaDir = dataDir.resolve("kafka");
        deleteTree(kafkaDir); // the local queue starts empty every time: no stale job from an earlier run
        String s3Secret = "local-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        try (EmbeddedKafka kafka = EmbeddedKafka.at(kafkaDir);
             EmbeddedS3 s3 = EmbeddedS3.filesystem(dataDir.resolve("s3"), EmbeddedS3.DEFAULT_ACCESS_KEY, s3Secret)) {
            S3Settings s3Settings = s3.settings(BUCKET);
            LocalWorker localWorker = LocalWorker.loading(kafka.bootstrapServers(), s3Settings, modelName, modelDir, device);
            CompletableFuture<Void> s3Up = CompletableFuture.runAsync(s3::start);
            kafka.start();
            kafka.createFleetTopics(1);
            s3Up.join();
            s3.createBucket(BUCKET);
            err.printf("local stack up in %.1f s: Kafka %s, S3 %s (bucket %s, files in %s)%n", (System.nanoTime() - t0) / 1e9,
                    kafka.bootstrapServers(), s3.endpoint(), BUCKET, dataDir.resolve("s3"));
            AutoCloseable started;
            try {
                started = localWorker.start();
            } catch (RuntimeException e) {
                localWorker.abandon();
                err.println("imagine: the worker could not start on " + modelDir + ": " + e.getMessage());
                return 1;
            }
            try (AutoCloseable worker = started) {
                if (job != null) {
                    try (BlobStore store = new BlobStore(s3Settings);
                         LocalFrontEnd front = new LocalFrontEnd(kafka.bootstrapServers(), store, err)) {
                        LocalFrontEnd.Outcome o = front.run(job, outDir.toAbsolutePath().normalize(), Duration.ofSeconds(timeoutSeconds));
                        if (!o.completed()) {
                            err.println("imagine: job " + o.jobId() + " failed: " + o.last().code() + ": " + o.last().message());
                            return 1;
                        }
                        for (Path f : o.files()) {
                            out.println(f);
                        }
                        err.printf("done in %.1f s%s%n", (System.nanoTime() - t0) / 1e9,
                                demo ? " (demo model: the image is noise by design)" : "");
                    }
                }
                if (serve) {
                    serve(kafka, s3, s3Settings, modelName, dataDir);
                }
            }
        }
        return 0;
    }

    /** Keeps the stack up until the JVM is told to stop; starts the packaged bot beside it when DISCORD_TOKEN is set. */
    private void serve(EmbeddedKafka kafka, EmbeddedS3 s3, S3Settings s3Settings, String modelName, Path dataDir) throws Exception {
        Map<String, String> stackEnv = new HashMap<>();
        stackEnv.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        stackEnv.put("S3_ENDPOINT", s3.endpoint().toString());
        stackEnv.put("S3_BUCKET", BUCKET);
        stackEnv.put("S3_REGION", s3Settings.region());
        stackEnv.put("S3_ACCESS_KEY", s3.accessKey());
        stackEnv.put("S3_PATH_STYLE", "true");
        Path envFile = dataDir.resolve("local-stack.env");
        Files.createDirectories(envFile.getParent());
        StringBuilder sb = new StringBuilder("# the running local stack (bin/imagine --serve); S3_SECRET_KEY is not written here\n");
        stackEnv.forEach((k, v) -> sb.append("export ").append(k).append('=').append(v).append('\n'));
        Files.writeString(envFile, sb.toString(), StandardCharsets.UTF_8);
        err.println("serving model '" + modelName + "'. For bin/fleetctl and other clients: source " + envFile
                + " (S3_SECRET_KEY is only in this process). Ctrl-C stops everything.");
        Process bot = null;
        String token = env.get("DISCORD_TOKEN");
        if (token != null && !token.isBlank()) {
            Path jar = home.resolve("bot/target/quarkus-app/quarkus-run.jar");
            if (!Files.isRegularFile(jar)) {
                err.println("imagine: DISCORD_TOKEN is set but the bot is not built (" + jar + "); run mvn -DskipTests package");
            } else {
                ProcessBuilder pb = new ProcessBuilder("java", "-jar", jar.toString()).inheritIO();
                pb.environment().putAll(stackEnv);
                pb.environment().put("S3_SECRET_KEY", s3.secretKey());
                pb.environment().put("BOT_MODELS", modelName);
                bot = pb.start();
                err.println("bot started (pid " + bot.pid() + ")");
            }
        }
        CountDownLatch stop = new CountDownLatch(1);
        Process botProcess = bot;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (botProcess != null) {
                botProcess.destroy();
            }
            stop.countDown();
        }));
        stop.await();
    }

    /** The embedded broker, S3 server and clients log a lot at INFO; the run prints its own status lines. */
    private static final List<java.util.logging.Logger> KEEP = new ArrayList<>();

    static void quietLogs() {
        if (System.getenv("IMAGINE_DEBUG") != null) {
            return;
        }
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        KEEP.add(root);
        for (String noisy : new String[] {"org.apache.kafka", "kafka", "org.gaul", "org.eclipse.jetty", "org.jclouds", "ai.djl",
                "software.amazon", "io.imaginefleet.worker.fleet"}) {
            java.util.logging.Logger l = java.util.logging.Logger.getLogger(noisy);
            l.setLevel(java.util.logging.Level.SEVERE);
            KEEP.add(l); // JUL holds loggers weakly: keep them so the levels stick
        }
    }

    /** The model name jobs use: the folder name, lower-cased to the contract's model-name rule. */
    static String modelName(Path modelDir) {
        String s = modelDir.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-")
                .replaceAll("^[^a-z0-9]+", "");
        if (s.isEmpty()) {
            s = "model";
        }
        return s.length() > 64 ? s.substring(0, 64) : s;
    }

    /** The model's native image size: unet sample_size × 2^(VAE levels - 1). */
    static int[] nativeSize(Path modelDir) {
        try {
            ObjectMapper m = new ObjectMapper();
            JsonNode unet = m.readTree(modelDir.resolve("unet/config.json").toFile());
            JsonNode vae = m.readTree(modelDir.resolve("vae/config.json").toFile());
            int levels = Math.max(1, vae.path("block_out_channels").size());
            int factor = 1 << (levels - 1);
            JsonNode ss = unet.path("sample_size");
            int hs = ss.isArray() ? ss.get(0).asInt(64) : ss.asInt(64);
            int ws = ss.isArray() ? ss.get(1).asInt(64) : ss.asInt(64);
            return new int[] {ws * factor, hs * factor};
        } catch (IOException | RuntimeException e) {
            return new int[] {512, 512};
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(all::add);
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
