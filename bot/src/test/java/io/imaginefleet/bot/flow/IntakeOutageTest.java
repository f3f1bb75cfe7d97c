package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imaginefleet.bot.core.Retries;
import io.imaginefleet.bot.discord.DiscordStandIn.Interaction;
import io.imaginefleet.bot.discord.DiscordStandIn.Option;
import io.imaginefleet.bot.discord.DiscordStandIn.User;
import io.imaginefleet.bot.discord.RestCall;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bot's intake while S3 or the broker is away (the real S3Proxy stopped, the real broker stopped, then started
 * again): a job submitted during a short outage is queued once the dependency is back, without a refusal; one that
 * outlasts the intake window (8 s here, 45 s by default) gets a clear ephemeral refusal and no job. No worker runs.
 */
class IntakeOutageTest {
    static final Duration WINDOW = Duration.ofSeconds(8);
    static LogCapture logs;
    static FleetEnv env;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.install();
        env = new FleetEnv();
        System.setProperty(Retries.QUEUE_WINDOW_PROPERTY, String.valueOf(WINDOW.toSeconds()));
        try {
            env.startBot(env.settings());
        } finally {
            System.clearProperty(Retries.QUEUE_WINDOW_PROPERTY);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            Secrets.assertAbsent(logs.text() + "\n" + env.kafkaText(), env.discord.issuedTokens());
        } finally {
            env.close();
            logs.close();
        }
    }

    static Interaction imagine(User u, String prompt) {
        return env.discord.slash(u, "imagine", Option.string("prompt", prompt), Option.integer("steps", 2),
                Option.integer("width", 64), Option.integer("height", 64));
    }

    static List<RestCall> refusals(Interaction i) {
        return env.discord.callsFor(i).stream().filter(c -> !c.isCallback() && c.method().equals("POST")
                && c.json() != null && (c.json().path("flags").asInt() & 64) != 0).toList();
    }

    static RestCall queued(Interaction i) {
        return env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("queued — position"), Duration.ofSeconds(40));
    }

    static long jobsOf(User u) {
        return env.jobs().stream().filter(j -> j.requester().userId().equals(String.valueOf(u.id()))).count();
    }

    @Test
    void aJobSubmittedWhileS3IsDownIsQueuedOnceItIsBack() throws Exception {
        User u = new User(7101, "s3blip");
        Interaction i;
        env.s3.stop();
        try {
            i = imagine(u, "during an s3 blip");
            Thread.sleep(5000);
            assertThat(refusals(i)).as("no refusal while S3 is briefly down").isEmpty();
            assertThat(env.discord.callsFor(i)).as("the interaction was deferred at once").anyMatch(RestCall::isCallback);
        } finally {
            env.s3.start();
        }
        queued(i);
        assertThat(refusals(i)).isEmpty();
        assertThat(jobsOf(u)).isEqualTo(1);
    }

    @Test
    void aJobSubmittedWhileTheBrokerIsDownIsQueuedOnceItIsBack() throws Exception {
        User u = new User(7102, "kblip");
        Interaction i;
        env.kafka.stop();
        try {
            i = imagine(u, "during a broker restart");
            Thread.sleep(5000);
            assertThat(refusals(i)).as("no refusal while the broker restarts").isEmpty();
        } finally {
            env.kafka.start();
        }
        queued(i);
        assertThat(refusals(i)).isEmpty();
        assertThat(jobsOf(u)).isEqualTo(1);
    }

    @Test
    void anOutageLongerThanTheWindowIsAClearRefusalAndNoJob() throws Exception {
        User u = new User(7103, "s3down");
        long t0 = System.nanoTime();
        Interaction i;
        String text;
        env.s3.stop();
        try {
            i = imagine(u, "during a long s3 outage");
            RestCall r = env.discord.await(c -> i.token().equals(c.token()) && !c.isCallback() && c.json() != null
                    && (c.json().path("flags").asInt() & 64) != 0, WINDOW.plusSeconds(20));
            text = r.content();
        } finally {
            env.s3.start();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(WINDOW.minusSeconds(1));
        assertThat(text).contains("could not be queued").contains("image storage").contains("try again");
        Thread.sleep(1000);
        assertThat(jobsOf(u)).isZero();
        assertThat(env.discord.callsFor(i)).noneMatch(c -> c.content().contains("queued — position"));
    }
}
