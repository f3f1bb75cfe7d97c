package io.imaginefleet.bot.core;

import io.imaginefleet.bot.commands.ImageCommands;
import io.imaginefleet.bot.commands.ImagineCommand;
import io.imaginefleet.bot.commands.JobsCommand;
import io.imaginefleet.bot.commands.ResultButtons;
import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.bot.discord.CommandFamily;
import io.imaginefleet.bot.discord.DiscordConnection;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.storage.BlobStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.dv8tion.jda.api.JDA;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running bot: Discord connection with every command family, the job producer, the posted-results ledger and
 * the events consumer. Plain Java (the Quarkus app and the tests both build it with {@link #start}).
 */
public final class FleetBot implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetBot.class);

    private final BotSettings settings;
    private final Producer<String, byte[]> producer;
    private final ExecutorService io;
    private final JobTracker tracker;
    private final JobArchive archive;
    private final ResultPoster poster;
    private final JobSubmitter submitter;
    private final List<CommandFamily> families;
    private JDA jda;
    private EventConsumer events;
    private JobWatcher watcher;
    private DeadLetterWatcher deadLetters;

    private FleetBot(BotSettings settings, BlobStore blobs, MeterRegistry registry, List<? extends CommandFamily> extra) {
        this.settings = settings;
        // the producer rides out a broker restart itself (idempotent retries) for up to the intake window, then fails
        // the send so the user hears that the job could not be queued
        Map<String, Object> producerConfig = KafkaSettings.producer(settings.kafkaBootstrapServers(), "imagine-bot");
        long windowMs = Math.max(31_000, Retries.queueWindow().toMillis());
        producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) windowMs);
        producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, windowMs);
        this.producer = new KafkaProducer<>(producerConfig);
        AtomicInteger n = new AtomicInteger();
        this.io = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "imagine-bot-io-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        BotMetrics metrics = new BotMetrics(registry);
        this.tracker = new JobTracker();
        this.archive = new JobArchive(blobs);
        UsageLimits limits = new UsageLimits(settings.maxConcurrentPerUser(), settings.maxJobsPerHour());
        PostedLedger ledger = new PostedLedger(producer);
        ledger.load(settings.kafkaBootstrapServers());
        this.poster = new ResultPoster(settings, tracker, archive, ledger, blobs, limits, metrics);
        this.submitter = new JobSubmitter(settings, limits, tracker, archive, producer, io, metrics);
        InputImages inputs = new InputImages(new AttachmentFetcher(settings.attachmentHosts(), settings.maxInputBytes()), blobs,
                settings.maxInputPixels());
        ImageCommands images = new ImageCommands(settings, submitter, inputs);
        this.families = new ArrayList<>(List.of(new ImagineCommand(settings, submitter), images, new JobsCommand(tracker),
                new ResultButtons(settings, submitter, tracker, archive, inputs, poster, images)));
        this.families.addAll(extra);
        metrics.gauges(this::eventsLag, () -> gatewayConnected() ? 1 : 0, tracker::inFlight);
    }

    /**
     * Connects to Discord (waits for READY), registers the commands of the built-in and {@code extra} families, and
     * starts consuming events.
     */
    public static FleetBot start(BotSettings settings, BlobStore blobs, MeterRegistry registry, List<? extends CommandFamily> extra)
            throws InterruptedException {
        FleetBot bot = new FleetBot(settings, blobs, registry, extra);
        try {
            bot.jda = DiscordConnection.connect(settings.discord(), bot.families);
            bot.poster.jda(bot.jda);
            bot.watcher = new JobWatcher(settings.kafkaBootstrapServers(), bot.tracker, bot.archive).start();
            bot.events = new EventConsumer(settings.kafkaBootstrapServers(), bot.poster).start();
            bot.deadLetters = new DeadLetterWatcher(settings.kafkaBootstrapServers(), bot.producer).start();
            LOG.info("bot started: {}", settings);
            return bot;
        } catch (InterruptedException | RuntimeException e) {
            bot.close();
            throw e;
        }
    }

    public BotSettings settings() { return settings; }
    public JDA jda() { return jda; }
    public JobTracker tracker() { return tracker; }
    public JobArchive archive() { return archive; }

    /** True while the gateway session is connected. */
    public boolean gatewayConnected() {
        return jda != null && jda.getStatus() == JDA.Status.CONNECTED;
    }

    /** Unconsumed events (-1 before the first poll). */
    public long eventsLag() {
        return events == null ? -1 : events.lag();
    }

    /** True once the dead-letter watcher has its partition. */
    public boolean watchingDeadLetters() {
        return deadLetters != null && deadLetters.assigned();
    }

    /** True once the jobs watcher has its partitions. */
    public boolean watchingJobs() {
        return watcher != null && watcher.assigned();
    }

    /** True while the events consumer polls. */
    public boolean eventsAlive() {
        return events != null && events.alive();
    }

    @Override
    public void close() {
        // jobs still retrying their way into the queue are queued or refused before anything stops
        int refused = submitter.drain(Retries.queueWindow().plusSeconds(5));
        if (refused > 0) LOG.warn("{} job(s) not queued because the bot stopped", refused);
        if (watcher != null) watcher.close();
        if (deadLetters != null) deadLetters.close();
        if (events != null) events.close();
        poster.close();
        io.shutdown();
        try {
            io.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (jda != null) {
            jda.shutdown();
            try {
                if (!jda.awaitShutdown(5, TimeUnit.SECONDS)) jda.shutdownNow();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                jda.shutdownNow();
            }
        }
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
