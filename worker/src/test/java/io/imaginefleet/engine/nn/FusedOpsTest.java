package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-memory TorchScript operators agree with compositions of plain DJL operators. */
class FusedOpsTest {
    @BeforeAll
    static void loads() {
        assertThat(FusedOps.available()).as("fused ops load: %s", FusedOps.failure()).isTrue();
    }

    @Test
    void sdpaMatchesSoftmaxAttentionOnStridedViews() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(1);
            // [B, L, heads*d] projections viewed as [B, heads, L, d] without copying, as the UNet does
            NDArray q = m.randomNormal(new Shape(2, 50, 3 * 8)).reshape(2, 50, 3, 8).transpose(0, 2, 1, 3);
            NDArray k = m.randomNormal(new Shape(2, 77, 3 * 8)).reshape(2, 77, 3, 8).transpose(0, 2, 1, 3);
            NDArray v = m.randomNormal(new Shape(2, 77, 3 * 8)).reshape(2, 77, 3, 8).transpose(0, 2, 1, 3);
            NDArray ref = q.matMul(k.transpose(0, 1, 3, 2)).mul(1 / Math.sqrt(8)).softmax(-1).matMul(v);
            NDArray out = FusedOps.sdpa(q, k, v);
            assertThat(out.getShape()).isEqualTo(new Shape(2, 3, 50, 8));
            assertThat(out.getManager()).isSameAs(q.getManager());
            assertThat(out.sub(ref).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @Test
    void groupNormWithAndWithoutSilu() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(2);
            NDArray x = m.randomNormal(new Shape(2, 64, 5, 7)).mul(3).add(1);
            NDArray w = m.randomNormal(new Shape(64));
            NDArray b = m.randomNormal(new Shape(64));
            NDArray before = x.duplicate();
            NDArray g = x.reshape(2, 32, -1);
            NDArray d = g.sub(g.mean(new int[] {2}, true));
            NDArray ref = d.div(d.square().mean(new int[] {2}, true).add(1e-5f).sqrt()).reshape(2, 64, 5, 7)
                    .mul(w.reshape(1, 64, 1, 1)).add(b.reshape(1, 64, 1, 1));
            assertThat(FusedOps.groupNorm(x, w, b, 32, 1e-5, false).sub(ref).abs().max().getFloat()).isLessThan(1e-5f);
            NDArray refSilu = ref.mul(Activation.sigmoid(ref));
            assertThat(FusedOps.groupNorm(x, w, b, 32, 1e-5, true).sub(refSilu).abs().max().getFloat()).isLessThan(1e-5f);
            assertThat(x.sub(before).abs().max().getFloat()).isZero(); // the in-place SiLU leaves the input alone
        }
    }

    @Test
    void siluAndGeglu() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray x = m.randomNormal(new Shape(2, 10, 12));
            assertThat(FusedOps.silu(x).sub(x.mul(Activation.sigmoid(x))).abs().max().getFloat()).isLessThan(1e-6f);
            NDArray ref = x.get(":, :, :6").mul(Activation.gelu(x.get(":, :, 6:")));
            NDArray out = FusedOps.geglu(x);
            assertThat(out.getShape()).isEqualTo(new Shape(2, 10, 6));
            assertThat(out.sub(ref).abs().max().getFloat()).isLessThan(1e-6f);
        }
    }
}
