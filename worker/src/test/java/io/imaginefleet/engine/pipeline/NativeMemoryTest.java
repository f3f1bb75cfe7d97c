package io.imaginefleet.engine.pipeline;

import io.imaginefleet.engine.EngineOptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** 20 generations in one process must not grow native memory (per-step / per-request scopes are closed). */
class NativeMemoryTest {

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    @Test
    void twentyGenerationsDoNotGrowResidentMemory() throws IOException {
        Path model = Path.of(System.getProperty("fixtures.dir")).resolve("models").resolve("tiny-sd");
        try (StableDiffusion sd = StableDiffusion.load(model, EngineOptions.cpu())) {
            GenerationRequest r = new GenerationRequest(GenerationRequest.Mode.TXT2IMG, "a cat", "ugly", 64, 64, 2,
                    7.5, "dpmpp-2m", 7, 1, 1.0, null, null, 0);
            for (int i = 0; i < 3; i++) {
                sd.generate(r, null);
            }
            System.gc();
            long warm = rssKb();
            for (int i = 0; i < 20; i++) {
                sd.generate(r, null);
            }
            System.gc();
            long after = rssKb();
            System.out.printf("RSS after warm-up %d MB, after 20 more generations %d MB%n", warm / 1024, after / 1024);
            // a leak of the latents/activations per step would add far more than this over 40 steps
            assertThat(after - warm).as("RSS growth in kB").isLessThan(64 * 1024);
        }
    }
}
