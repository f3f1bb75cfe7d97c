package io.imaginefleet.worker.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local run end to end, as {@code bin/imagine} runs it: embedded Kafka and S3, the fleet worker on the demo
 * model (the tiny fixture model), the front end sending the job through Kafka and fetching the PNG from S3.
 */
class LocalRunTest {

    static final Path HOME = Path.of(System.getProperty("fixtures.dir", "src/test/fixtures/sd-tiny")).resolve("../../../../..")
            .toAbsolutePath().normalize();

    record Result(int rc, String out, String err) {
    }

    static Result imagine(Path tmp, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LocalRun run = new LocalRun(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("USER", "tester"), HOME);
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data";
        all[args.length + 1] = tmp.resolve("data").toString();
        int rc = LocalRun.execute(run, all);
        return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void demoRunWritesDecodablePngsAndSaysItIsNoise(@TempDir Path tmp) throws Exception {
        Result r = imagine(tmp, "a red cube on a blue sphere", "--out", tmp.resolve("out").toString(), "--steps", "3",
                "--seed", "42", "--count", "2");
        assertThat(r.rc()).as(r.err()).isZero();
        assertThat(r.err()).contains("demo model").contains("noise").contains("--model");
        List<String> paths = r.out().lines().toList();
        assertThat(paths).hasSize(2);
        for (String p : paths) {
            Path f = Path.of(p);
            assertThat(f.getParent()).isEqualTo(tmp.resolve("out"));
            assertThat(f.getFileName().toString()).matches("[0-9a-f-]{36}-[01]\\.png");
            BufferedImage img = ImageIO.read(f.toFile());
            assertThat(img).isNotNull();
            assertThat(img.getWidth()).isEqualTo(64);
            assertThat(img.getHeight()).isEqualTo(64);
        }
        assertThat(Files.list(tmp.resolve("data/s3/imagine-local/results"))).isNotEmpty();
    }

    @Test
    void invalidOptionsGetTheBotsAnswerAndStartNothing(@TempDir Path tmp) {
        Result r = imagine(tmp, "a cube", "--steps", "500", "--out", tmp.resolve("out").toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).contains("steps");
        assertThat(tmp.resolve("data")).doesNotExist();

        Result noPrompt = imagine(tmp);
        assertThat(noPrompt.rc()).isEqualTo(2);
        assertThat(noPrompt.err()).contains("give a PROMPT");

        Result badModel = imagine(tmp, "a cube", "--model", tmp.toString());
        assertThat(badModel.rc()).isEqualTo(2);
        assertThat(badModel.err()).contains("not a diffusers model folder");
    }
}
