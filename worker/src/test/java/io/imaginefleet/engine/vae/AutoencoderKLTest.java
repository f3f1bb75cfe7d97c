package io.imaginefleet.engine.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.io.Npy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parity with diffusers 0.27 on the sd-tiny golden fixtures. */
class AutoencoderKLTest {
    static final Path FIXTURES = Path.of(System.getProperty("fixtures.dir"));
    private static AutoencoderKL tiny;
    private static AutoencoderKL x4;

    @BeforeAll
    static void load() {
        tiny = AutoencoderKL.load(FIXTURES.resolve("models/tiny-sd/vae"), EngineOptions.cpu());
        x4 = AutoencoderKL.load(FIXTURES.resolve("models/tiny-sd-x4-upscaler/vae"), EngineOptions.cpu());
    }

    @AfterAll
    static void close() {
        tiny.close();
        x4.close();
    }

    /** Asserts max|Δ| ≤ 1e-4·max|ref| + 1e-5 and relative L2 ≤ 1e-4; prints both. */
    static void assertClose(String what, NDArray actual, Path refFile) {
        float[] ref = Npy.readFloats(refFile);
        assertThat(actual.getShape().getShape()).as(what + " shape").containsExactly(Npy.shape(refFile));
        float[] got = actual.toFloatArray();
        double maxAbs = 0;
        double maxRef = 0;
        double diff2 = 0;
        double ref2 = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = got[i] - ref[i];
            maxAbs = Math.max(maxAbs, Math.abs(d));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            diff2 += d * d;
            ref2 += (double) ref[i] * ref[i];
        }
        double relL2 = Math.sqrt(diff2 / ref2);
        System.out.printf("%s: max|Δ|=%.3g (max|ref|=%.3g), rel-L2=%.3g%n", what, maxAbs, maxRef, relL2);
        assertThat(maxAbs).as(what + " max|Δ|").isLessThanOrEqualTo(1e-4 * maxRef + 1e-5);
        assertThat(relL2).as(what + " rel-L2").isLessThanOrEqualTo(1e-4);
    }

    private static void checkDecode(AutoencoderKL vae, String c) {
        Path dir = FIXTURES.resolve("cases").resolve(c);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = Npy.read(m, dir.resolve("z.npy"));
            NDArray out = vae.decode(z);
            assertThat(out.getManager()).isSameAs(m);
            assertClose(c, out, dir.resolve("decoded.npy"));
        }
    }

    private static void checkEncode(AutoencoderKL vae, String c) {
        Path dir = FIXTURES.resolve("cases").resolve(c);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Npy.read(m, dir.resolve("x.npy"));
            NDArray[] mv = vae.encodeMoments(x);
            assertClose(c + " mean", mv[0], dir.resolve("latent_mean.npy"));
            assertClose(c + " logvar", mv[1], dir.resolve("latent_logvar.npy"));
            assertClose(c + " encodeMean", vae.encodeMean(x), dir.resolve("latent_mean.npy"));
        }
    }

    @Test
    void decodeTinySd() {
        checkDecode(tiny, "vae_decode__tiny-sd");
    }

    @Test
    void encodeTinySd() {
        checkEncode(tiny, "vae_encode__tiny-sd");
    }

    @Test
    void decodeX4UpscalerVae() {
        assertThat(x4.spatialFactor()).isEqualTo(4);
        checkDecode(x4, "vae_decode__tiny-sd-x4-upscaler");
    }

    @Test
    void encodeX4UpscalerVae() {
        checkEncode(x4, "vae_encode__tiny-sd-x4-upscaler");
    }

    @Test
    void configAndBadInputs() {
        assertThat(tiny.config().scalingFactor()).isEqualTo(0.18215);
        assertThat(x4.config().scalingFactor()).isEqualTo(0.08333);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> tiny.decode(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 8, 8))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[B, 4, H, W]");
            assertThatThrownBy(() -> tiny.encodeMoments(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 9, 8))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple");
        }
    }
}
