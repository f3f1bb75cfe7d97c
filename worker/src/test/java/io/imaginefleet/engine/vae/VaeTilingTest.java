package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.EngineOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Tiled VAE decode/encode against the untiled model (tiny-sd VAE, random weights). */
class VaeTilingTest {
    static final Path FIXTURES = Path.of(System.getProperty("fixtures.dir"));
    private static AutoencoderKL vae;

    @BeforeAll
    static void load() {
        vae = AutoencoderKL.load(FIXTURES.resolve("models/tiny-sd/vae"), EngineOptions.cpu());
    }

    @AfterAll
    static void close() {
        vae.close();
    }

    static double maxAbs(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void tiledDecodeAgreesWithUntiled() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            NDArray z = m.randomNormal(new Shape(1, 4, 48, 48));
            NDArray full = vae.decodeUntiled(z);
            // 2×2 tiles of 36² latents overlapping by 24
            NDArray exact = vae.decodeTiled(z, 36, 24, AutoencoderKL.EXACT_STATS);
            NDArray local = vae.decodeTiled(z, 36, 24, 0);
            double eExact = maxAbs(exact, full);
            double eLocal = maxAbs(local, full);
            System.out.printf("tiled decode 48² latents (max|ref|=%.3g): exact stats max|Δ|=%.3g, per-tile stats %.3g%n",
                    full.abs().max().getFloat(), eExact, eLocal);
            assertThat(exact.getShape()).isEqualTo(full.getShape());
            assertThat(eExact).isLessThanOrEqualTo(1e-2);
            assertThat(eLocal).isGreaterThan(eExact); // per-tile statistics are what make plain tiling differ
        }
    }

    @Test
    void decodeTilesAutomaticallyAboveTheBudget() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(11);
            NDArray z = m.randomNormal(new Shape(1, 4, 48, 48));
            long budget = vae.estimateDecodeBytes(1, 32, 32);
            assertThat(vae.estimateDecodeBytes(1, 48, 48)).isGreaterThan(budget);
            try (AutoencoderKL small = AutoencoderKL.load(FIXTURES.resolve("models/tiny-sd/vae"),
                    EngineOptions.cpu().withVaeBudget(budget))) {
                NDArray auto = small.decode(z);
                NDArray explicit = vae.decodeTiled(z, 32, 8, AutoencoderKL.DEFAULT_STATS_PASSES);
                assertThat(auto.getShape().getShape()).containsExactly(1, 3, 96, 96);
                assertThat(maxAbs(auto, explicit)).isLessThan(1e-6);
            }
        }
    }

    @Test
    void tiledEncodeAgreesWithUntiled() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray x = m.randomUniform(-1, 1, new Shape(1, 3, 96, 96));
            NDArray[] full = vae.encodeMomentsUntiled(x);
            NDArray[] exact = vae.encodeTiled(x, 64, 32, AutoencoderKL.EXACT_STATS);
            double eMean = maxAbs(exact[0], full[0]);
            double eLogvar = maxAbs(exact[1], full[1]);
            System.out.printf("tiled encode 96² px (tile 64, overlap 32, exact stats): mean max|Δ|=%.3g, logvar max|Δ|=%.3g%n",
                    eMean, eLogvar);
            assertThat(exact[0].getShape().getShape()).containsExactly(1, 4, 48, 48);
            assertThat(eMean).isLessThanOrEqualTo(1e-2);
            assertThat(eLogvar).isLessThanOrEqualTo(1e-2);
        }
    }

    @Test
    void tilesCoverTheImageAndCoresPartitionIt() {
        Tiler.Axis a = Tiler.axis(100, 32, 8, 4);
        assertThat(a.starts()).containsExactly(0, 24, 48, 68);
        assertThat(a.coreStart()[0]).isZero();
        assertThat(a.coreEnd()[a.count() - 1]).isEqualTo(100);
        for (int k = 0; k < a.count(); k++) {
            assertThat(a.starts()[k] % 4).isZero();
            assertThat(a.coreStart()[k]).isGreaterThanOrEqualTo(a.starts()[k]);
            assertThat(a.coreEnd()[k]).isLessThanOrEqualTo(a.starts()[k] + 32);
            if (k > 0) {
                assertThat(a.coreStart()[k]).isEqualTo(a.coreEnd()[k - 1]);
            }
        }
        // every output pixel gets a positive total weight; interior of the first tile has weight 1
        double[] total = new double[200];
        for (int k = 0; k < a.count(); k++) {
            float[] w = Tiler.weights(a, k, 2, 1, 8);
            assertThat(w).hasSize(64);
            for (int t = 0; t < w.length; t++) {
                total[(int) (a.starts()[k] * 2 + t)] += w[t];
            }
        }
        for (double t : total) {
            assertThat(t).isGreaterThan(0);
        }
        assertThat(Tiler.weights(a, 0, 2, 1, 8)[0]).isEqualTo(1f);
        assertThat(Tiler.axis(20, 32, 8, 1).starts()).containsExactly(0);
    }
}
