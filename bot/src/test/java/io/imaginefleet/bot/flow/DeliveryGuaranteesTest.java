package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imaginefleet.bot.core.FleetBot;
import io.imaginefleet.bot.core.JobArchive;
import io.imaginefleet.bot.discord.DiscordStandIn.Interaction;
import io.imaginefleet.bot.discord.DiscordStandIn.Option;
import io.imaginefleet.bot.discord.DiscordStandIn.User;
import io.imaginefleet.bot.discord.RestCall;
import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.Requester;
import java.awt.Color;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once posting and late results: the test plays the worker's part (publishing events itself) so it controls
 * when results arrive — after the token lifetime, twice, or while the bot is down.
 */
class DeliveryGuaranteesTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static LogCapture logs;
    static FleetEnv env;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.install();
        env = new FleetEnv();
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

    static Job queuedJobOf(User u, Interaction i) {
        env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("queued — position"), WAIT);
        return env.jobs().stream().filter(j -> j.requester().userId().equals(String.valueOf(u.id()))).reduce((a, b) -> b).orElseThrow();
    }

    static void complete(Job job) throws Exception {
        String key = Job.resultKey(job.id(), 0);
        env.blobs.put(key, ScriptedWorker.png(job.width(), job.height(), Color.ORANGE), "image/png");
        env.publish(JobEvent.completed(job.id(), "w1", List.of(key), 99, Map.of("total", 10L), List.of("p"), 1));
    }

    static List<RestCall> postsFor(Job job) {
        return env.discord.calls().stream().filter(c -> c.buttonIds().contains("imagine:r:" + job.id())
                || (c.content().contains(job.prompt()) && (c.content().contains("✅") || c.content().contains("❌ ")))).toList();
    }

    /** A job known only from the archive, completed: its channel post proves the consumer got past earlier events. */
    static void sentinel(String prompt) throws Exception {
        Job s = Job.txt2img(Job.newId(), FleetEnv.MODEL, prompt, 64, 64, 2,
                new Requester(String.valueOf(io.imaginefleet.bot.discord.DiscordStandIn.GUILD_ID),
                        String.valueOf(io.imaginefleet.bot.discord.DiscordStandIn.CHANNEL_ID), "7999", null));
        new JobArchive(env.blobs).save(s);
        complete(s);
        env.discord.await(c -> c.content().contains(prompt) && c.content().contains("✅"), WAIT);
    }

    @Test
    void resultAfterTheTokenLifetimeBecomesAChannelMessageMentioningTheRequester() throws Exception {
        try (FleetBot bot = env.startBot(env.settings().withTiming(Duration.ofSeconds(2), Duration.ofMillis(100)))) {
            User u = new User(7001, "late");
            Interaction i = env.discord.slash(u, "imagine", Option.string("prompt", "a slow sunrise"));
            Job job = queuedJobOf(u, i);
            Thread.sleep(2500);
            env.publish(JobEvent.progress(job.id(), "w1", 1, 4, null));
            complete(job);
            RestCall post = env.discord.await(c -> c.method().equals("POST") && c.path().endsWith("/messages")
                    && c.content().contains("a slow sunrise"), WAIT);
            assertThat(post.path()).isEqualTo("channels/" + io.imaginefleet.bot.discord.DiscordStandIn.CHANNEL_ID + "/messages");
            assertThat(post.content()).startsWith("<@7001>").contains("✅");
            assertThat(post.json().at("/allowed_mentions/users").toString()).contains("7001");
            assertThat(post.files()).hasSize(1);
            assertThat(env.discord.callsFor(i)).noneMatch(c -> c.content().contains("✅") || c.content().contains("step 1/4"));
        }
    }

    @Test
    void duplicateEventsAndBotRestartsStillGiveExactlyOnePost() throws Exception {
        User u = new User(7002, "restart");
        Job job;
        try (FleetBot first = env.startBot(env.settings())) {
            Interaction i = env.discord.slash(u, "imagine", Option.string("prompt", "a phoenix mid-restart"));
            job = queuedJobOf(u, i);
            env.publish(JobEvent.accepted(job.id(), "w1", 1));
            env.publish(JobEvent.progress(job.id(), "w1", 2, 4, null));
            env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("🎨"), WAIT); // running (edits are rate-limited)
        } // the bot goes down mid-job
        complete(job);
        complete(job); // the worker's completion repeats (at-least-once)
        try (FleetBot second = env.startBot(env.settings())) {
            RestCall post = env.discord.await(c -> c.content().contains("a phoenix mid-restart") && c.content().contains("✅"), WAIT);
            assertThat(post.path()).endsWith("/messages").startsWith("channels/");
            assertThat(post.content()).startsWith("<@7002>");
            complete(job); // and again while the new bot runs
            sentinel("sentinel one");
        }
        try (FleetBot third = env.startBot(env.settings())) {
            complete(job); // and once more after another restart
            sentinel("sentinel two");
        }
        assertThat(postsFor(job)).hasSize(1);
    }

    @Test
    void aJobReplayedByAnOperatorToolIsPostedToTheOriginalChannelOnce() throws Exception {
        try (FleetBot bot = env.startBot(env.settings())) {
            long end = System.currentTimeMillis() + 30_000;
            while (!bot.watchingJobs() && System.currentTimeMillis() < end) Thread.sleep(100);
            assertThat(bot.watchingJobs()).isTrue();
            Job original = Job.txt2img(Job.newId(), FleetEnv.MODEL, "a replayed comet", 64, 64, 2,
                    new Requester(String.valueOf(io.imaginefleet.bot.discord.DiscordStandIn.GUILD_ID),
                            String.valueOf(io.imaginefleet.bot.discord.DiscordStandIn.CHANNEL_ID), "7004", null));
            Job replay = original.asReplay(Job.newId());
            env.produceJob(replay); // what fleetctl replay / /admin replay do
            Thread.sleep(1000);
            complete(replay);
            complete(replay);
            RestCall post = env.discord.await(c -> c.content().contains("a replayed comet") && c.content().contains("✅"), WAIT);
            assertThat(post.path()).isEqualTo("channels/" + io.imaginefleet.bot.discord.DiscordStandIn.CHANNEL_ID + "/messages");
            assertThat(post.content()).startsWith("<@7004>");
            sentinel("sentinel four");
            assertThat(postsFor(replay)).hasSize(1);
        }
    }

    @Test
    void progressEditsAreRateLimitedShowTheLatestStepWithPreviewAndLargeResultsGoAsLinks() throws Exception {
        byte[] preview = Png.of(8, 8);
        byte[] result = Png.of(64, 64);
        assertThat(preview.length).isLessThan(400);
        assertThat(result.length).isGreaterThan(400);
        try (FleetBot bot = env.startBot(env.settings().withTiming(Duration.ofMinutes(14), Duration.ofSeconds(2))
                .withSizes(400, 4L * 1024 * 1024, 4096L * 4096L, 64, 4))) {
            User u = new User(7005, "flood");
            Interaction i = env.discord.slash(u, "imagine", Option.string("prompt", "a flood of progress"));
            Job job = queuedJobOf(u, i);
            String previewKey = "previews/" + job.id() + "/10.png";
            env.blobs.put(previewKey, preview, "image/png");
            for (int s = 1; s <= 10; s++) env.publish(JobEvent.progress(job.id(), "w1", s, 10, s == 10 ? previewKey : null));
            RestCall last = env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("step 10/10"), WAIT);
            assertThat(last.files()).hasSize(1);
            assertThat(last.files().values().iterator().next().filename()).isEqualTo("preview.png");
            List<RestCall> edits = env.discord.callsFor(i).stream().filter(c -> c.method().equals("PATCH")).toList();
            assertThat(edits).hasSizeLessThanOrEqualTo(3); // queued, at most one more in the first interval, the held-back latest
            for (int k = 1; k < edits.size(); k++) {
                assertThat(edits.get(k).at() - edits.get(k - 1).at()).as("gap between edits").isGreaterThanOrEqualTo(1900);
            }

            String key = Job.resultKey(job.id(), 0);
            env.blobs.put(key, result, "image/png");
            env.publish(JobEvent.completed(job.id(), "w1", List.of(key), 5, Map.of(), List.of(), 1));
            RestCall done = env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("✅"), WAIT);
            assertThat(done.files()).isEmpty();
            assertThat(done.content()).contains("Too large to attach");
            String url = done.content().substring(done.content().indexOf("1: ") + 3).split("\\s")[0];
            var resp = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.body()).isEqualTo(result);
        }
    }

    @Test
    void permanentFailuresArePostedOnceInPlainWordsAndRetryableOnesOnlyAsProgress() throws Exception {
        try (FleetBot bot = env.startBot(env.settings())) {
            User u = new User(7003, "fails");
            Interaction i = env.discord.slash(u, "imagine", Option.string("prompt", "a doomed painting"));
            Job job = queuedJobOf(u, i);
            env.publish(JobEvent.failed(job.id(), "w1", FailureCode.ENGINE_ERROR, "out of memory", true, 1));
            env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("retrying"), WAIT);
            env.publish(JobEvent.failed(job.id(), "w2", FailureCode.BAD_INPUT, "the mask is all black", false, 2));
            env.publish(JobEvent.failed(job.id(), "w2", FailureCode.BAD_INPUT, "the mask is all black", false, 2));
            RestCall post = env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("could not be made"), WAIT);
            assertThat(post.content()).contains("the input image could not be used (the mask is all black)");
            sentinel("sentinel three");
            assertThat(postsFor(job)).hasSize(1);
        }
    }
}
