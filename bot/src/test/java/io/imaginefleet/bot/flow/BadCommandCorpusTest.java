package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imaginefleet.bot.discord.DiscordStandIn.Interaction;
import io.imaginefleet.bot.discord.DiscordStandIn.Option;
import io.imaginefleet.bot.discord.DiscordStandIn.User;
import io.imaginefleet.bot.discord.RestCall;
import io.imaginefleet.common.job.Job;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad-input corpus, slash commands: odd option values and attachments sent through the Discord stand-in to the
 * real bot (unmodified JDA). Each refusal must be an ephemeral message a person can act on, produce no job, and
 * leave the bot serving the next command; unusual but valid prompts (emoji, RTL, CJK) must reach the job intact.
 * Complements {@link RefusalsAndLimitsTest}. No worker runs: accepted jobs stay queued.
 */
class BadCommandCorpusTest {
    static LogCapture logs;
    static FleetEnv env;
    static final AtomicLong users = new AtomicLong(7000);

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.install();
        env = new FleetEnv();
        env.startBot(env.settings());
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

    static Function<User, Interaction> imagine(Option... extra) {
        return u -> env.discord.slash(u, "imagine", extra);
    }

    static Function<User, Interaction> imaginePrompt(String prompt, Option... extra) {
        Option[] all = Stream.concat(Stream.of(Option.string("prompt", prompt)), Arrays.stream(extra)).toArray(Option[]::new);
        return imagine(all);
    }

    static Function<User, Interaction> upscale(String name, byte[] bytes, String contentType) {
        return u -> {
            String url = env.discord.serve(name, bytes, contentType);
            return env.discord.slash(u, "upscale", Option.attachment("image", url, name, contentType, bytes.length));
        };
    }

    static Function<User, Interaction> upscaleUrl(String url, String name) {
        return u -> env.discord.slash(u, "upscale", Option.attachment("image", url, name, "image/png", 100));
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("empty prompt", imaginePrompt(""), "**prompt** must not be empty"),
                Arguments.of("blank prompt", imaginePrompt("   \t  "), "**prompt** must not be empty"),
                Arguments.of("10k-character prompt", imaginePrompt("a".repeat(10_000)), "(was 10000)"),
                Arguments.of("NUL in prompt", imaginePrompt("a\u0000cat"), "control characters (found U+0000"),
                Arguments.of("ANSI escape in prompt", imaginePrompt("\u001b[31mred cat"), "control characters (found U+001B"),
                Arguments.of("DEL in prompt", imaginePrompt("cat\u007f"), "control characters (found U+007F"),
                Arguments.of("C1 control in prompt", imaginePrompt("cat\u0085dog"), "control characters (found U+0085"),
                Arguments.of("control char in negative prompt", imaginePrompt("a cat", Option.string("negative", "blur\u0007")),
                        "control characters (found U+0007"),
                Arguments.of("steps 0", imaginePrompt("a cat", Option.integer("steps", 0)), "**steps** must be between 1 and 150 (was 0)"),
                Arguments.of("steps negative", imaginePrompt("a cat", Option.integer("steps", -5)), "**steps** must be between 1 and 150 (was -5)"),
                Arguments.of("guidance negative", imaginePrompt("a cat", Option.number("guidance", -1.0)), "**guidance** must be between 0 and 30"),
                Arguments.of("count 0", imaginePrompt("a cat", Option.integer("count", 0)), "**count** must be between 1 and 4"),
                Arguments.of("count 9", imaginePrompt("a cat", Option.integer("count", 9)), "**count** must be between 1 and 4"),
                Arguments.of("seed negative", imaginePrompt("a cat", Option.integer("seed", -1)), "**seed** must be between 0 and"),
                Arguments.of("width 8", imaginePrompt("a cat", Option.integer("width", 8)), "**width** must be a multiple of 8 between"),
                Arguments.of("height 100000", imaginePrompt("a cat", Option.integer("height", 100_000)), "**height** must be a multiple of 8 between"),
                Arguments.of("unknown scheduler", imaginePrompt("a cat", Option.string("scheduler", "warp-drive")), "warp-drive"),
                Arguments.of("0-byte attachment", upscale("empty.png", new byte[0], "image/png"), "empty"),
                Arguments.of("SVG attachment", upscale("d.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8), "image/svg+xml"),
                        "not a PNG, JPEG or WebP image"),
                Arguments.of("PDF named .png", upscale("doc.png", "%PDF-1.4\n%%EOF\n".getBytes(StandardCharsets.US_ASCII), "image/png"),
                        "not a PNG, JPEG or WebP image"),
                Arguments.of("JPEG cut after its header", upscale("cut.jpg", Arrays.copyOf(jpeg(), 40), "image/jpeg"), "truncated or corrupt"),
                // cut mid-scan: ImageIO decodes it with a warning (grey rows), which the bot treats as truncated
                Arguments.of("JPEG cut in half", upscale("half.jpg", Arrays.copyOf(jpeg(), jpeg().length / 2), "image/jpeg"), "truncated or corrupt"),
                Arguments.of("real animated GIF", upscale("anim.gif", animatedGif(), "image/gif"), "not a PNG, JPEG or WebP image (it is a GIF)"),
                Arguments.of("20000x20000 JPEG header", upscale("huge.jpg", jpegHeader(20000, 20000), "image/jpeg"), "20000×20000 pixels; at most"),
                Arguments.of("https URL on a foreign host", upscaleUrl("https://cdn.evil.example/x.png", "x.png"), "not on Discord's CDN"),
                Arguments.of("file URL", upscaleUrl("file:///etc/passwd", "passwd.png"), "not on Discord's CDN"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusedEphemerallyWithNoJob(String name, Function<User, Interaction> send, String expected) {
        User u = new User(users.incrementAndGet(), "corpus");
        assertThat(ephemeral(send.apply(u))).as(name).contains(expected);
        assertThat(jobsOf(u)).as("jobs after '%s'", name).isZero();
        // the bot still serves the next command from the same person
        Interaction next = env.discord.slash(u, "imagine", Option.string("prompt", "a calm lake"));
        env.discord.await(c -> next.token().equals(c.token()) && c.content().contains("queued — position"), Duration.ofSeconds(20));
    }

    static Stream<Arguments> exoticButValidPrompts() {
        return Stream.of(
                Arguments.of("emoji", "a 🐱 wearing a 🎩, 👨‍👩‍👧 family"),
                Arguments.of("right-to-left", "\u05D7\u05EA\u05D5\u05DC \u202Eflipped\u202C cat"),
                Arguments.of("zero-width joiners", "ca\u200Bt\u200Don\u2060a mat"),
                Arguments.of("CJK and combining marks", "富士山の夕焼け, e\u0301te\u0301"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exoticButValidPrompts")
    void unusualPromptsReachTheJobUnchanged(String name, String prompt) {
        User u = new User(users.incrementAndGet(), "corpus");
        Interaction i = env.discord.slash(u, "imagine", Option.string("prompt", prompt));
        env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("queued — position"), Duration.ofSeconds(20));
        assertThat(env.jobs().stream().filter(j -> j.requester().userId().equals(String.valueOf(u.id()))).map(Job::prompt))
                .as(name).containsExactly(prompt);
    }

    static String ephemeral(Interaction i) {
        RestCall c = env.discord.await(x -> i.token().equals(x.token()) && x.json() != null
                && ((x.isCallback() && x.json().at("/data/flags").asInt() == 64) || (x.method().equals("POST") && x.json().path("flags").asInt() == 64)),
                Duration.ofSeconds(20));
        return c.isCallback() ? c.json().at("/data/content").asText() : c.content();
    }

    static long jobsOf(User u) {
        return env.jobs().stream().filter(j -> j.requester().userId().equals(String.valueOf(u.id()))).count();
    }

    static byte[] jpeg() {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(5);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, r.nextInt());
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, "jpeg", out);
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] animatedGif() {
        try {
            ImageWriter w = ImageIO.getImageWritersByFormatName("gif").next();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                w.setOutput(ios);
                w.prepareWriteSequence(null);
                for (int f = 0; f < 2; f++) {
                    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_INDEXED);
                    img.setRGB(f, f, 0xFFFFFF);
                    w.writeToSequence(new IIOImage(img, null, null), null);
                }
                w.endWriteSequence();
            }
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** SOI + baseline SOF0 claiming w×h, an SOS header, then EOI (no tables, no scan data). */
    static byte[] jpegHeader(int w, int h) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(23 + 14);
        b.put((byte) 0xFF).put((byte) 0xD8);
        b.put((byte) 0xFF).put((byte) 0xC0).putShort((short) 17).put((byte) 8).putShort((short) h).putShort((short) w).put((byte) 3);
        for (int c = 1; c <= 3; c++) b.put((byte) c).put((byte) 0x11).put((byte) 0);
        b.put((byte) 0xFF).put((byte) 0xDA).putShort((short) 12).put((byte) 3);
        for (int c = 1; c <= 3; c++) b.put((byte) c).put((byte) 0);
        b.put((byte) 0).put((byte) 63).put((byte) 0);
        b.put((byte) 0xFF).put((byte) 0xD9);
        return b.array();
    }
}
