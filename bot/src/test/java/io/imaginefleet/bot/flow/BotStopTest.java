package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imaginefleet.bot.core.FleetBot;
import io.imaginefleet.bot.discord.DiscordStandIn.Interaction;
import io.imaginefleet.bot.discord.DiscordStandIn.Option;
import io.imaginefleet.bot.discord.DiscordStandIn.User;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bot told to stop (rolling update, SIGTERM) while a job is still retrying its way into the queue (S3 briefly away)
 * does not drop it: stopping waits until the job is queued, and the user sees it queued.
 */
class BotStopTest {
    @Test
    void stoppingTheBotWaitsForAJobStillRetryingIntoTheQueue() throws Exception {
        try (LogCapture logs = LogCapture.install(); FleetEnv env = new FleetEnv()) {
            FleetBot bot = FleetBot.start(env.settings(), env.blobs, new SimpleMeterRegistry(), List.of());
            User u = new User(7201, "rolling-update");
            env.s3.stop();
            Interaction i;
            CompletableFuture<Void> stopping;
            try {
                i = env.discord.slash(u, "imagine", Option.string("prompt", "submitted during a rolling update"),
                        Option.integer("steps", 2), Option.integer("width", 64), Option.integer("height", 64));
                env.discord.await(c -> i.token().equals(c.token()) && c.isCallback(), Duration.ofSeconds(10));
                Thread.sleep(1000);
                stopping = CompletableFuture.runAsync(bot::close);
                Thread.sleep(3000);
                assertThat(stopping).as("the bot waits for the job still retrying").isNotDone();
            } finally {
                env.s3.start();
            }
            stopping.get(60, TimeUnit.SECONDS);
            env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("queued — position"), Duration.ofSeconds(10));
            assertThat(env.jobs()).filteredOn(j -> j.requester().userId().equals("7201")).hasSize(1);
            assertThat(env.discord.callsFor(i)).noneMatch(c -> c.content().contains("could not be queued"));
            Secrets.assertAbsent(logs.text() + "\n" + env.kafkaText(), env.discord.issuedTokens());
        }
    }
}
