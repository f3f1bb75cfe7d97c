package io.imaginefleet.bot.app;

import io.imaginefleet.bot.config.BotConfig;
import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.bot.config.DiscordConfig;
import io.imaginefleet.bot.config.KafkaConfig;
import io.imaginefleet.bot.config.S3Config;
import io.imaginefleet.bot.core.FleetBot;
import io.imaginefleet.bot.discord.CommandFamily;
import io.imaginefleet.common.storage.BlobStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the bot when the app starts (on a background thread, so health endpoints answer while Discord connects)
 * and stops it on shutdown. Every CDI bean implementing {@link CommandFamily} (e.g. the operators' /admin family)
 * joins the built-in families; make such beans {@code @Singleton} (JDA calls them directly).
 */
@Singleton
public class BotLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(BotLifecycle.class);

    @Inject DiscordConfig discord;
    @Inject BotConfig bot;
    @Inject KafkaConfig kafka;
    @Inject S3Config s3;
    @Inject MeterRegistry registry;
    @Inject @Any Instance<CommandFamily> families;

    private volatile FleetBot running;
    private volatile BlobStore blobs;
    private volatile String problem = "starting";
    private volatile Thread starter;

    void onStart(@Observes StartupEvent ev) {
        if (discord.token().filter(t -> !t.isBlank()).isEmpty()) {
            problem = "DISCORD_TOKEN is not set; not connecting to Discord";
            LOG.warn(problem);
            return;
        }
        List<CommandFamily> extra = families.stream().toList();
        starter = new Thread(() -> {
            try {
                BotSettings settings = BotSettings.from(discord, bot, kafka);
                blobs = new BlobStore(s3.toSettings());
                running = FleetBot.start(settings, blobs, registry, extra);
                problem = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = "interrupted while starting";
            } catch (RuntimeException e) {
                problem = "start failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.error("bot {}", problem);
            }
        }, "imagine-bot-start");
        starter.setDaemon(true);
        starter.start();
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (starter != null) starter.interrupt();
        if (running != null) running.close();
        if (blobs != null) blobs.close();
    }

    /** The running bot, once connected. */
    public Optional<FleetBot> bot() {
        return Optional.ofNullable(running);
    }

    /** Why the bot is not running, or null. */
    public String problem() {
        return problem;
    }
}
