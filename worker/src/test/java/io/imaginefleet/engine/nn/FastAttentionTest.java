package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Sliced attention equals unsliced attention whatever the budget, and masks are sliced along with it. */
class FastAttentionTest {
    private static NDArray reference(NDArray q, NDArray k, NDArray v, NDArray mask) {
        NDArray s = q.matMul(k.transpose(0, 2, 1)).mul(1 / Math.sqrt(q.getShape().get(2)));
        return (mask == null ? s : s.add(mask)).softmax(-1).matMul(v);
    }

    @Test
    void slicesByHeadsAndByQueryBlocks() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(7);
            NDArray q = m.randomNormal(new Shape(6, 300, 16));
            NDArray k = m.randomNormal(new Shape(6, 200, 16));
            NDArray v = m.randomNormal(new Shape(6, 200, 16));
            NDArray ref = reference(q, k, v, null);
            // budget of the whole matrix, of 2 heads, of 37 rows (query blocks within a head)
            for (long budget : new long[] {6L * 300 * 200 * 4, 2L * 300 * 200 * 4, 37L * 200 * 4}) {
                NDArray out = FastAttention.sliced(q, k, v, null, budget);
                assertThat(out.getShape()).isEqualTo(ref.getShape());
                assertThat(out.sub(ref).abs().max().getFloat()).as("budget %d", budget).isLessThan(1e-5f);
            }
            // a budget below one row still computes row by row
            NDArray small = q.get(":2, :9");
            NDArray rowByRow = FastAttention.sliced(small, k.get(":2"), v.get(":2"), null, 1);
            assertThat(rowByRow.sub(reference(small, k.get(":2"), v.get(":2"), null)).abs().max().getFloat())
                    .isLessThan(1e-5f);
        }
    }

    @Test
    void masksAreSlicedWithTheScores() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(8);
            NDArray q = m.randomNormal(new Shape(4, 77, 8));
            NDArray k = m.randomNormal(new Shape(4, 77, 8));
            NDArray v = m.randomNormal(new Shape(4, 77, 8));
            // causal mask, as CLIP's text encoder uses, broadcast over heads
            float[] mask = new float[77 * 77];
            for (int i = 0; i < 77; i++) {
                for (int j = i + 1; j < 77; j++) {
                    mask[i * 77 + j] = -1e9f;
                }
            }
            NDArray causal = m.create(mask, new Shape(1, 77, 77));
            NDArray ref = reference(q, k, v, causal);
            NDArray sliced = FastAttention.sliced(q, k, v, causal, 10L * 77 * 4);
            assertThat(sliced.sub(ref).abs().max().getFloat()).isLessThan(1e-5f);
            NDArray dispatched = FastAttention.scaledDotProduct(q, k, v, causal, 1L << 30);
            assertThat(dispatched.sub(ref).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @Test
    void multiHeadFusedAndSlicedAgree() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(9);
            NDArray q = m.randomNormal(new Shape(2, 64, 40));
            NDArray k = m.randomNormal(new Shape(2, 77, 40));
            NDArray v = m.randomNormal(new Shape(2, 77, 40));
            NDArray fused = FastAttention.multiHead(q, k, v, 5, 1L << 30);
            System.setProperty("imaginefleet.fusedOps", "false");
            NDArray sliced;
            try {
                sliced = FastAttention.multiHead(q, k, v, 5, 16L * 77 * 4);
            } finally {
                System.clearProperty("imaginefleet.fusedOps");
            }
            // per-head reference
            NDArray qh = q.reshape(2, 64, 5, 8).transpose(0, 2, 1, 3).reshape(10, 64, 8);
            NDArray kh = k.reshape(2, 77, 5, 8).transpose(0, 2, 1, 3).reshape(10, 77, 8);
            NDArray vh = v.reshape(2, 77, 5, 8).transpose(0, 2, 1, 3).reshape(10, 77, 8);
            NDArray ref = reference(qh, kh, vh, null).reshape(2, 5, 64, 8).transpose(0, 2, 1, 3).reshape(2, 64, 40);
            assertThat(fused.sub(ref).abs().max().getFloat()).isLessThan(1e-5f);
            assertThat(sliced.sub(ref).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }
}
