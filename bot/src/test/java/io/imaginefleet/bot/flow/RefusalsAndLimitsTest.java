package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imaginefleet.bot.discord.DiscordStandIn.Interaction;
import io.imaginefleet.bot.discord.DiscordStandIn.Option;
import io.imaginefleet.bot.discord.DiscordStandIn.User;
import io.imaginefleet.bot.discord.RestCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Everything the bot refuses — invalid options, blocked terms, other guilds, bad attachments, per-user limits — is
 * answered ephemerally with a clear message and produces no job. No worker runs here: accepted jobs stay queued.
 */
class RefusalsAndLimitsTest {
    static LogCapture logs;
    static FleetEnv env;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.install();
        env = new FleetEnv();
        env.startBot(env.settings().withLimits(1, 3, List.of("forbidden")));
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

    /** The ephemeral text the user got: an immediate ephemeral reply or an ephemeral follow-up after the defer. */
    static String ephemeral(Interaction i) {
        RestCall c = env.discord.await(x -> i.token().equals(x.token()) && x.json() != null
                && ((x.isCallback() && x.json().at("/data/flags").asInt() == 64) || (x.method().equals("POST") && x.json().path("flags").asInt() == 64)),
                Duration.ofSeconds(20));
        return c.isCallback() ? c.json().at("/data/content").asText() : c.content();
    }

    static long jobsOf(User u) {
        return env.jobs().stream().filter(j -> j.requester().userId().equals(String.valueOf(u.id()))).count();
    }

    @Test
    void invalidOptionsAreAnsweredEphemerallyNamingTheFieldAndRange() {
        User u = new User(6001, "val");
        Interaction i = env.discord.slash(u, "imagine", Option.string("prompt", "a cat"), Option.integer("steps", 500),
                Option.number("guidance", 99.0));
        String text = ephemeral(i);
        assertThat(text).contains("**steps** must be between 1 and 150 (was 500)").contains("**guidance** must be between 0 and 30");
        Interaction w = env.discord.slash(u, "imagine", Option.string("prompt", "a cat"), Option.integer("width", 100));
        assertThat(ephemeral(w)).contains("**width** must be a multiple of 8");
        Interaction ctl = env.discord.slash(u, "imagine", Option.string("prompt", "a\u0007cat"));
        assertThat(ephemeral(ctl)).contains("**prompt** must not contain control characters");
        Interaction model = env.discord.slash(u, "imagine", Option.string("prompt", "a cat"), Option.string("model", "sdxl"));
        assertThat(ephemeral(model)).contains("**model** unknown model 'sdxl'");
        Interaction huge = env.discord.slash(u, "imagine", Option.string("prompt", "a cat"), Option.integer("steps", 1_000_000_000_000L));
        assertThat(ephemeral(huge)).contains("**steps** must be between 1 and 150");
        Interaction count = env.discord.slash(u, "imagine", Option.string("prompt", "a cat"), Option.integer("count", 9));
        assertThat(ephemeral(count)).contains("**count** must be between 1 and 4 (was 9)");
        assertThat(jobsOf(u)).isZero();
    }

    @Test
    void blockedTermsAndOtherGuildsAreRefused() {
        User u = new User(6002, "blk");
        assertThat(ephemeral(env.discord.slash(u, "imagine", Option.string("prompt", "something FORBIDDEN here"))))
                .contains("blocked term");
        assertThat(ephemeral(env.discord.slashInGuild(1299999999999999999L, u, "imagine", Option.string("prompt", "a cat"))))
                .contains("not enabled in this server");
        assertThat(jobsOf(u)).isZero();
    }

    @Test
    void badAttachmentsAreRefusedWithClearMessagesAndNoJob() {
        User u = new User(6003, "att");
        String mask = env.discord.serve("ok-mask.png", Png.mask(64, 64), "image/png");
        String text = env.discord.serve("notes.txt", "just some text".getBytes(StandardCharsets.UTF_8), "text/plain");
        assertThat(ephemeral(inpaint(u, text, mask))).contains("The image is not a PNG, JPEG or WebP image");

        String bomb = env.discord.serve("bomb.png", Png.headerOnly(20000, 20000), "image/png");
        assertThat(ephemeral(inpaint(u, bomb, mask))).contains("20000×20000 pixels; at most");

        byte[] big = Png.of(64, 64);
        byte[] padded = Arrays.copyOf(big, 5 * 1024 * 1024); // declared small, actually 5 MiB
        String large = env.discord.serve("large.png", padded, "image/png");
        assertThat(ephemeral(inpaint(u, large, mask))).contains("too large");

        byte[] full = Png.of(64, 64);
        String truncated = env.discord.serve("cut.png", Arrays.copyOf(full, full.length / 2), "image/png");
        assertThat(ephemeral(inpaint(u, truncated, mask))).contains("truncated or corrupt");

        String foreign = env.discord.foreignUrl("elsewhere.png", Png.of(64, 64), "image/png");
        assertThat(ephemeral(env.discord.slash(u, "upscale", Option.attachment("image", foreign, "elsewhere.png", "image/png", 100))))
                .contains("not on Discord's CDN");

        String redirect = env.discord.serveRedirect("hop.png", foreign);
        assertThat(ephemeral(env.discord.slash(u, "upscale", Option.attachment("image", redirect, "hop.png", "image/png", 100))))
                .contains("redirects to the host localhost");

        String gif = env.discord.serve("anim.gif", "GIF89a....".getBytes(StandardCharsets.ISO_8859_1), "image/gif");
        assertThat(ephemeral(env.discord.slash(u, "upscale", Option.attachment("image", gif, "anim.gif", "image/gif", 10))))
                .contains("not a PNG, JPEG or WebP image (it is a GIF)");

        assertThat(jobsOf(u)).isZero();
        assertThat(env.blobs.list("inputs/")).allMatch(k -> !k.contains("notes"));
    }

    private static Interaction inpaint(User u, String image, String mask) {
        return env.discord.slash(u, "inpaint", Option.attachment("image", image, "image.png", "image/png", 100),
                Option.attachment("mask", mask, "mask.png", "image/png", 100), Option.string("prompt", "a door"));
    }

    @Test
    void concurrentLimitRefusesUntilTheJobIsCancelledAndOnlyTheRequesterMayCancel() {
        User u = new User(6004, "busy");
        Interaction first = env.discord.slash(u, "imagine", Option.string("prompt", "first"));
        RestCall queued = env.discord.await(c -> first.token().equals(c.token()) && c.content().contains("queued — position"), Duration.ofSeconds(20));
        String cancelId = queued.buttonIds().get(0);
        assertThat(ephemeral(env.discord.slash(u, "imagine", Option.string("prompt", "second"))))
                .contains("You already have 1 job running (limit 1)");
        assertThat(jobsOf(u)).isEqualTo(1);

        long message = env.discord.originalMessageId(first);
        Interaction stranger = env.discord.click(new User(6999, "stranger"), message, cancelId);
        assertThat(ephemeral(stranger)).contains("Only the person who asked for this job can cancel it");

        Interaction cancel = env.discord.click(u, message, cancelId);
        RestCall update = env.discord.await(c -> c.isCallback() && cancel.token().equals(c.token()), Duration.ofSeconds(5));
        assertThat(update.json().get("type").asInt()).isEqualTo(7);
        assertThat(update.json().at("/data/content").asText()).contains("cancelled");

        Interaction third = env.discord.slash(u, "imagine", Option.string("prompt", "third"));
        env.discord.await(c -> third.token().equals(c.token()) && c.content().contains("queued — position"), Duration.ofSeconds(20));
        assertThat(jobsOf(u)).isEqualTo(2);
    }

    @Test
    void hourlyLimitRefusesTheFourthJob() {
        User u = new User(6005, "hourly");
        for (int n = 1; n <= 3; n++) {
            Interaction i = env.discord.slash(u, "imagine", Option.string("prompt", "job " + n));
            RestCall q = env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("queued — position"), Duration.ofSeconds(20));
            Interaction cancel = env.discord.click(u, env.discord.originalMessageId(i), q.buttonIds().get(0));
            env.discord.await(c -> c.isCallback() && cancel.token().equals(c.token()), Duration.ofSeconds(5));
        }
        assertThat(ephemeral(env.discord.slash(u, "imagine", Option.string("prompt", "job 4"))))
                .contains("limit of 3 jobs per hour");
        assertThat(jobsOf(u)).isEqualTo(3);
    }
}
