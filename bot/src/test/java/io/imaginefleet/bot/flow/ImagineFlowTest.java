package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imaginefleet.bot.core.FleetBot;
import io.imaginefleet.bot.discord.DiscordStandIn;
import io.imaginefleet.bot.discord.DiscordStandIn.Interaction;
import io.imaginefleet.bot.discord.DiscordStandIn.Option;
import io.imaginefleet.bot.discord.DiscordStandIn.User;
import io.imaginefleet.bot.discord.RestCall;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobKind;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The user's path through /imagine, the buttons, /inpaint, /upscale and the context menu, with a real broker, a real
 * S3 server, the unmodified JDA client against the Discord stand-in, and a worker. One bot for the whole class.
 */
class ImagineFlowTest {
    static final Duration RESULT_WAIT = Duration.ofSeconds(120);
    static LogCapture logs;
    static FleetEnv env;
    static AutoCloseable worker;
    static FleetBot bot;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.install();
        env = new FleetEnv();
        worker = TestWorkers.start(env);
        bot = env.startBot(env.settings());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            String kafka = env == null ? "" : env.kafkaText();
            Secrets.assertAbsent(logs.text() + "\n" + kafka, env.discord.issuedTokens());
        } finally {
            if (worker != null) worker.close();
            if (env != null) env.close();
            if (logs != null) logs.close();
        }
    }

    static Predicate<RestCall> finalOn(Interaction i) {
        return c -> i.token().equals(c.token()) && c.method().equals("PATCH") && c.content().contains("✅");
    }

    static String jobIdOf(RestCall finalEdit) {
        return finalEdit.buttonIds().stream().filter(b -> b.startsWith("imagine:r:")).findFirst()
                .map(b -> b.substring("imagine:r:".length())).orElseThrow();
    }

    @Test
    void imagineIsDeferredQueuedProgressedAndAnsweredWithPngParametersAndButtons() {
        User alice = new User(5001, "alice");
        long sent = System.currentTimeMillis();
        Interaction i = env.discord.slash(alice, "imagine", Option.string("prompt", "a red cube on a blue sphere"),
                Option.integer("seed", 42));
        RestCall ack = env.discord.await(c -> c.isCallback() && i.token().equals(c.token()), Duration.ofSeconds(3));
        assertThat(ack.at() - sent).isLessThan(3000);
        assertThat(ack.json().get("type").asInt()).isEqualTo(5); // deferred, public
        RestCall queued = env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("queued — position"), Duration.ofSeconds(30));
        assertThat(queued.buttonIds()).anyMatch(b -> b.startsWith("imagine:x:"));
        env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("step "), RESULT_WAIT);
        RestCall done = env.discord.await(finalOn(i), RESULT_WAIT);

        assertThat(done.files()).hasSize(1);
        BufferedImage img = Png.decode(done.files().values().iterator().next().bytes());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(64);
        assertThat(done.content()).contains("a red cube on a blue sphere").contains("seed 42").contains(FleetEnv.MODEL)
                .contains("64×64").contains("<@5001>");
        String jobId = jobIdOf(done);
        assertThat(done.buttonIds()).contains("imagine:u:" + jobId + ":1", "imagine:v:" + jobId + ":1", "imagine:r:" + jobId);
        assertThat(done.buttonLabels()).contains("U1", "V1");
        // posted once: no channel message for this job
        assertThat(env.discord.channelPosts()).noneMatch(c -> c.buttonIds().contains("imagine:r:" + jobId));
    }

    @Test
    void upscaleButtonAndRerollProduceNewJobsThatComplete() {
        User bob = new User(5002, "bob");
        Interaction i = env.discord.slash(bob, "imagine", Option.string("prompt", "a lighthouse"), Option.integer("seed", 7));
        RestCall done = env.discord.await(finalOn(i), RESULT_WAIT);
        String jobId = jobIdOf(done);
        long message = env.discord.originalMessageId(i);

        Interaction u1 = env.discord.click(bob, message, "imagine:u:" + jobId + ":1");
        RestCall upscaled = env.discord.await(finalOn(u1), RESULT_WAIT);
        assertThat(upscaled.content()).contains("upscale ×4");
        assertThat(Png.decode(upscaled.files().values().iterator().next().bytes()).getWidth()).isEqualTo(256);

        Interaction reroll = env.discord.click(bob, message, "imagine:r:" + jobId);
        RestCall rerolled = env.discord.await(finalOn(reroll), RESULT_WAIT);
        assertThat(rerolled.content()).contains("a lighthouse").doesNotContain("seed 7 ");
        assertThat(jobIdOf(rerolled)).isNotEqualTo(jobId);

        List<Job> jobs = env.jobs();
        Job up = jobs.stream().filter(j -> j.kind() == JobKind.UPSCALE && j.requester().userId().equals("5002")).findFirst().orElseThrow();
        assertThat(up.inputImage()).startsWith("inputs/" + up.id() + "/");
        assertThat(up.model()).isEqualTo(FleetEnv.UPSCALE_MODEL);
    }

    @Test
    void variationButtonReworksThatImageWithANewSeed() {
        User vera = new User(5004, "vera");
        Interaction i = env.discord.slash(vera, "imagine", Option.string("prompt", "a red boat"), Option.integer("count", 2),
                Option.integer("seed", 11));
        RestCall done = env.discord.await(finalOn(i), RESULT_WAIT);
        String jobId = jobIdOf(done);
        long message = env.discord.originalMessageId(i);

        Interaction v2 = env.discord.click(vera, message, "imagine:v:" + jobId + ":2");
        RestCall varied = env.discord.await(finalOn(v2), RESULT_WAIT);
        assertThat(varied.content()).contains("a red boat").contains("(variation)");
        assertThat(varied.files()).isNotEmpty();
        String variationId = jobIdOf(varied);
        assertThat(variationId).isNotEqualTo(jobId);

        Job v = env.jobs().stream().filter(j -> j.id().equals(variationId)).findFirst().orElseThrow();
        assertThat(v.kind()).isEqualTo(JobKind.IMG2IMG);
        assertThat(v.prompt()).isEqualTo("a red boat");
        assertThat(v.seed()).isNotEqualTo(11L);
        assertThat(v.strength()).isEqualTo(0.6);
        assertThat(v.inputImage()).startsWith("inputs/" + v.id() + "/");
        // the input is image 2 of the original job, byte for byte
        assertThat(env.blobs.get(v.inputImage())).isEqualTo(env.blobs.get(Job.resultKey(jobId, 1)));
        assertThat(env.blobs.get(v.inputImage())).isNotEqualTo(env.blobs.get(Job.resultKey(jobId, 0)));
    }

    @Test
    void countFourIsPostedAsOneTwoByTwoGridWithFourUAndVButtons() {
        User carol = new User(5003, "carol");
        Interaction i = env.discord.slash(carol, "imagine", Option.string("prompt", "four cats"), Option.integer("count", 4));
        RestCall done = env.discord.await(finalOn(i), RESULT_WAIT);
        assertThat(done.files()).hasSize(1);
        BufferedImage grid = Png.decode(done.files().values().iterator().next().bytes());
        assertThat(grid.getWidth()).isEqualTo(128);
        assertThat(grid.getHeight()).isEqualTo(128);
        assertThat(done.buttonLabels()).contains("U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4");
    }

    @Test
    void inpaintUpscaleAndContextMenuWithCdnAttachmentsComplete() {
        User dave = new User(5004, "dave");
        String image = env.discord.serve("photo.png", Png.of(64, 64), "image/png");
        String mask = env.discord.serve("mask.png", Png.mask(64, 64), "image/png");
        Interaction inpaint = env.discord.slash(dave, "inpaint",
                Option.attachment("image", image, "photo.png", "image/png", 100),
                Option.attachment("mask", mask, "mask.png", "image/png", 100),
                Option.string("prompt", "a golden door"));
        RestCall inpainted = env.discord.await(finalOn(inpaint), RESULT_WAIT);
        assertThat(inpainted.content()).contains("(inpaint)");
        assertThat(Png.decode(inpainted.files().values().iterator().next().bytes())).isNotNull();

        Interaction upscale = env.discord.slash(dave, "upscale", Option.attachment("image", image, "photo.png", "image/png", 100));
        RestCall upscaled = env.discord.await(finalOn(upscale), RESULT_WAIT);
        assertThat(Png.decode(upscaled.files().values().iterator().next().bytes()).getWidth()).isEqualTo(256);

        String small = env.discord.serve("small.png", Png.of(80, 64), "image/png");
        Interaction menu = env.discord.messageCommand(dave, "Upscale image", small, "small.png", "image/png", 100);
        RestCall menuDone = env.discord.await(finalOn(menu), RESULT_WAIT);
        assertThat(Png.decode(menuDone.files().values().iterator().next().bytes()).getWidth()).isEqualTo(320);

        Job in = env.jobs().stream().filter(j -> j.kind() == JobKind.INPAINT).findFirst().orElseThrow();
        assertThat(env.blobs.exists(in.inputImage())).isTrue();
        assertThat(env.blobs.exists(in.maskImage())).isTrue();
    }

    @Test
    void jobsListsTheCallersRecentJobsEphemerally() {
        User erin = new User(5005, "erin");
        Interaction i = env.discord.slash(erin, "imagine", Option.string("prompt", "a quiet harbour"));
        env.discord.await(finalOn(i), RESULT_WAIT);
        RestCall reply = null;
        for (int attempt = 0; attempt < 20; attempt++) { // the bot marks the job completed once Discord confirmed the post
            Interaction jobs = env.discord.slash(erin, "jobs");
            reply = env.discord.await(c -> c.isCallback() && jobs.token().equals(c.token()), Duration.ofSeconds(5));
            if (reply.json().at("/data/content").asText().contains("completed")) break;
            sleep(250);
        }
        assertThat(reply.json().get("type").asInt()).isEqualTo(4);
        assertThat(reply.json().at("/data/flags").asInt() & 64).isEqualTo(64);
        assertThat(reply.json().at("/data/content").asText()).contains("a quiet harbour").contains("completed");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void modelAutocompleteOffersServedModels() {
        Interaction i = env.discord.slash(new User(5006, "fay"), "imagine", Option.string("prompt", "x"), Option.focused("model", "tiny"));
        RestCall reply = env.discord.await(c -> c.isCallback() && i.token().equals(c.token()), Duration.ofSeconds(5));
        assertThat(reply.json().get("type").asInt()).isEqualTo(8);
        assertThat(reply.json().toString()).contains(FleetEnv.MODEL);
        assertThat(DiscordStandIn.snowflake()).isPositive();
    }
}
