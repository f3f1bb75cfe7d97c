package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SeededNoiseTest {

    @Test
    void splitMix64MatchesTheReferenceSequence() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        SeededNoise n = new SeededNoise(0);
        assertThat(n.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(n.nextLong()).isEqualTo(0x6E789E6AA1B965F4L);
        assertThat(n.nextLong()).isEqualTo(0x06C45D188009454FL);
    }

    @Test
    void sameSeedSameValuesAndStatisticsAreGaussian() {
        float[] a = new SeededNoise(42).next(200_000);
        float[] b = new SeededNoise(42).next(200_000);
        assertThat(a).containsExactly(b);
        assertThat(new SeededNoise(43).next(4)).isNotEqualTo(new SeededNoise(42).next(4));
        double sum = 0;
        double sq = 0;
        int beyond3 = 0;
        for (float v : a) {
            sum += v;
            sq += v * v;
            if (Math.abs(v) > 3) {
                beyond3++;
            }
        }
        double mean = sum / a.length;
        double var = sq / a.length - mean * mean;
        assertThat(mean).isCloseTo(0, within(0.01));
        assertThat(var).isCloseTo(1, within(0.02));
        assertThat(beyond3 / (double) a.length).isCloseTo(0.0027, within(0.001));
    }

    @Test
    void imageIOfABatchEqualsASingleRunWithSeedPlusI() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray batch = SeededNoise.randn(m, new Shape(4, 4, 8, 8), 1000);
            NDArray single = SeededNoise.randn(m, new Shape(1, 4, 8, 8), 1002);
            assertThat(batch.get(2).toFloatArray()).containsExactly(single.toFloatArray());
            // later draws (ancestral step noise) also follow each image's own stream
            SeededNoise.Batch streams = new SeededNoise.Batch(1000, 4);
            streams.next(m, new Shape(4, 2));
            NDArray second = streams.next(m, new Shape(4, 3));
            SeededNoise alone = new SeededNoise(1003);
            alone.next(2);
            assertThat(second.get(3).toFloatArray()).containsExactly(alone.next(3));
        }
    }
}
