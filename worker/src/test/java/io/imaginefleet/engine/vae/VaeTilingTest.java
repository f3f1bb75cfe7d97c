package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.nn.GroupNorm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The VAE in row strips against the untiled model (tiny-sd VAE, random weights). */
class VaeTilingTest {
    static final Path FIXTURES = Path.of(System.getProperty("fixtures.dir"));
    /** A strip budget small enough for 4–8 rows per strip at every stage of the tiny VAE at these sizes. */
    static final long SMALL_BUDGET = 6L * 4 * 96 * 64 * 8;
    private static AutoencoderKL vae;

    @BeforeAll
    static void load() {
        vae = AutoencoderKL.load(FIXTURES.resolve("models/tiny-sd/vae"), EngineOptions.cpu());
    }

    @AfterAll
    static void close() {
        vae.close();
    }

    static long spillFiles() {
        try (var files = java.nio.file.Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("imaginefleet-vae-")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static double maxAbs(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void stripDecodeAgreesWithUntiled() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            NDArray z = m.randomNormal(new Shape(2, 4, 48, 40));
            NDArray full = vae.decodeUntiled(z);
            long filesBefore = spillFiles();
            NDArray strips = vae.decodeTiled(z, SMALL_BUDGET);
            assertThat(spillFiles()).as("temporary feature maps deleted").isEqualTo(filesBefore);
            double err = maxAbs(strips, full);
            System.out.printf("strip decode 48×40 latents (max|ref|=%.3g): max|Δ|=%.3g%n", full.abs().max().getFloat(), err);
            assertThat(strips.getShape()).isEqualTo(full.getShape());
            assertThat(err).isLessThanOrEqualTo(1e-3); // the issue asks for 1e-2; strips are exact up to rounding
            assertThat(full.abs().max().getFloat()).isGreaterThan(0.1f);
        }
    }

    @Test
    void decodeGoesToStripsAutomaticallyAboveTheBudget() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(11);
            NDArray z = m.randomNormal(new Shape(1, 4, 48, 48));
            long budget = vae.estimateDecodeBytes(1, 32, 32);
            assertThat(vae.estimateDecodeBytes(1, 48, 48)).isGreaterThan(budget);
            try (AutoencoderKL small = AutoencoderKL.load(FIXTURES.resolve("models/tiny-sd/vae"),
                    EngineOptions.cpu().withVaeBudget(budget))) {
                NDArray auto = small.decode(z);
                NDArray explicit = vae.decodeTiled(z, budget);
                NDArray untiled = vae.decodeUntiled(z);
                assertThat(auto.getShape().getShape()).containsExactly(1, 3, 96, 96);
                assertThat(maxAbs(auto, explicit)).isLessThan(1e-6);
                assertThat(maxAbs(auto, untiled)).isLessThanOrEqualTo(1e-3);
            }
        }
    }

    @Test
    void stripEncodeAgreesWithUntiled() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray x = m.randomUniform(-1, 1, new Shape(1, 3, 96, 80));
            NDArray[] full = vae.encodeMomentsUntiled(x);
            NDArray[] strips = vae.encodeTiled(x, SMALL_BUDGET);
            double eMean = maxAbs(strips[0], full[0]);
            double eLogvar = maxAbs(strips[1], full[1]);
            System.out.printf("strip encode 96×80 px: mean max|Δ|=%.3g, logvar max|Δ|=%.3g%n", eMean, eLogvar);
            assertThat(strips[0].getShape().getShape()).containsExactly(1, 4, 48, 40);
            assertThat(eMean).isLessThanOrEqualTo(1e-3);
            assertThat(eLogvar).isLessThanOrEqualTo(1e-3);
        }
    }

    @Test
    void encodeGoesToStripsAutomaticallyAboveTheBudget() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(5);
            NDArray x = m.randomUniform(-1, 1, new Shape(1, 3, 64, 64));
            long budget = vae.estimateEncodeBytes(1, 32, 32);
            try (AutoencoderKL small = AutoencoderKL.load(FIXTURES.resolve("models/tiny-sd/vae"),
                    EngineOptions.cpu().withVaeBudget(budget))) {
                NDArray[] auto = small.encodeMoments(x);
                NDArray[] explicit = vae.encodeTiled(x, budget);
                assertThat(maxAbs(auto[0], explicit[0])).isLessThan(1e-6);
                assertThat(maxAbs(auto[0], vae.encodeMomentsUntiled(x)[0])).isLessThanOrEqualTo(1e-3);
            }
        }
    }

    @Test
    void featureMapRoundTripsStripsAndTheirStatistics() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(1);
            NDArray x = m.randomNormal(0, 2, new Shape(2, 64, 20, 12), ai.djl.ndarray.types.DataType.FLOAT32).add(0.5f);
            try (FeatureMap map = new FeatureMap(2, 64, 20, 12, 32)) {
                // strips written out of order, each a non-contiguous view of x
                for (long[] r : new long[][] {{13, 20}, {0, 6}, {6, 13}}) {
                    map.write(r[0], x.get(new NDIndex(":, :, {}:{}", r[0], r[1])));
                }
                assertThat(maxAbs(map.readAll(m), x)).isZero();
                assertThat(maxAbs(map.read(m, 5, 9), x.get(new NDIndex(":, :, 5:9")))).isZero();
                GroupNorm norm = new GroupNorm(32, m.ones(new Shape(64)), m.zeros(new Shape(64)), 1e-6f);
                NDArray whole = norm.forward(x);
                NDArray viaStrips = map.moments().asNormStats().apply(norm, x);
                assertThat(maxAbs(viaStrips, whole)).isLessThan(1e-4);
            }
        }
    }

    @Test
    void featureMapRejectsStripsThatDoNotFit() {
        try (NDManager m = NDManager.newBaseManager(); FeatureMap map = new FeatureMap(1, 4, 8, 8, 0)) {
            NDArray rows = m.zeros(new Shape(1, 4, 3, 8));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> map.write(6, rows))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside a map of height 8");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> map.write(0, m.zeros(new Shape(1, 3, 3, 8))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
            assertThat(map.moments()).isNull();
        }
    }

    @Test
    void attentionIsGlobalUpToTheLimitAndLocalAbove() {
        assertThat(AutoencoderKL.attentionHalo(128, 128)).isEqualTo(128);
        assertThat(AutoencoderKL.attentionHalo(64, 256)).isEqualTo(64);
        assertThat(AutoencoderKL.attentionHalo(512, 512)).isEqualTo(16);
        assertThat(AutoencoderKL.attentionHalo(4096, 4096)).isEqualTo(8);
    }
}
