package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.EngineOptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Repeated decodes/encodes in one process must not grow native memory (per-request managers free everything). */
class VaeMemoryTest {

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static void once(AutoencoderKL vae, int i) {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(i);
            NDArray z = m.randomNormal(new Shape(1, 4, 16, 16));
            NDArray img = vae.decode(z);
            NDArray back = vae.encodeMean(img);
            assertThat(back.getShape().getShape()).containsExactly(1, 4, 16, 16);
            NDArray strips = vae.decodeTiled(z, 400L << 10); // the strip path too (4 strips a layer)
            assertThat(strips.getShape()).isEqualTo(img.getShape());
        }
    }

    @Test
    void twentyDecodesDoNotGrowNativeMemory() throws IOException {
        Path dir = Path.of(System.getProperty("fixtures.dir"), "models/tiny-sd/vae");
        try (AutoencoderKL vae = AutoencoderKL.load(dir, EngineOptions.cpu())) {
            for (int i = 0; i < 3; i++) {
                once(vae, i);
            }
            System.gc();
            long before = rssKb();
            for (int i = 0; i < 20; i++) {
                once(vae, 100 + i);
            }
            System.gc();
            long after = rssKb();
            System.out.printf("VAE decode+encode ×20: RSS %d MB → %d MB%n", before / 1024, after / 1024);
            // one leaked round of activations at this size is ≈ 5–10 MB; 20 rounds would exceed the bound
            assertThat(after - before).isLessThan(48 * 1024);
        }
    }
}
