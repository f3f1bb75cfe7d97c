package io.imaginefleet.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.io.ModelFormatException;
import io.imaginefleet.engine.io.SafetensorsWriter;
import io.imaginefleet.engine.io.Weights;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** nn modules against hand-checked values and plain-Java reference loops. */
class NnModulesTest {
    @TempDir
    Path dir;
    private NDManager weightsManager;
    private NDManager step;
    private final Random rnd = new Random(42);

    @BeforeEach
    void setUp() {
        weightsManager = NDManager.newBaseManager();
        step = weightsManager.newSubManager();
    }

    @AfterEach
    void tearDown() {
        step.close();
        weightsManager.close();
    }

    private float[] randn(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    private Params params(SafetensorsWriter w) throws IOException {
        Path f = dir.resolve("m" + rnd.nextInt(1_000_000) + ".safetensors");
        w.write(f);
        return new Params(Weights.open(f), weightsManager);
    }

    @Test
    void linearHandChecked() throws IOException {
        Params p = params(new SafetensorsWriter()
                .add("fc.weight", "F32", new long[] {2, 3}, new float[] {1, 2, 3, -1, 0, 1})
                .add("fc.bias", "F32", new long[] {2}, new float[] {0.5f, -0.5f}));
        Linear fc = Linear.load(p, "fc", 3, 2);
        NDArray x = step.create(new float[] {1, 1, 1, 2, 0, -1}, new Shape(1, 2, 3));
        NDArray y = fc.forward(x);
        // row 1: [1+2+3+.5, -1+0+1-.5] = [6.5, -0.5]; row 2: [2-3+.5, -2-1-.5] = [-0.5, -3.5]
        assertThat(y.getShape().getShape()).containsExactly(1, 2, 2);
        assertThat(y.toFloatArray()).containsExactly(6.5f, -0.5f, -0.5f, -3.5f);
        assertThat(y.getManager()).isSameAs(step);
        assertThatThrownBy(() -> Linear.load(p, "fc", 2, 3)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("fc.weight");
    }

    @Test
    void conv2dMatchesNaiveLoops() throws IOException {
        int cin = 3;
        int cout = 4;
        int h = 5;
        int w = 6;
        float[] wt = randn(cout * cin * 9);
        float[] b = randn(cout);
        Params p = params(new SafetensorsWriter().add("c.weight", "F32", new long[] {cout, cin, 3, 3}, wt)
                .add("c.bias", "F32", new long[] {cout}, b));
        float[] x = randn(cin * h * w);
        for (int stride : new int[] {1, 2}) {
            Conv2d conv = Conv2d.load(p, "c", cin, cout, 3, stride, 1);
            NDArray y = conv.forward(step.create(x, new Shape(1, cin, h, w)));
            int oh = (h + 2 - 3) / stride + 1;
            int ow = (w + 2 - 3) / stride + 1;
            assertThat(y.getShape().getShape()).containsExactly(1, cout, oh, ow);
            float[] got = y.toFloatArray();
            for (int o = 0; o < cout; o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = b[o];
                        for (int c = 0; c < cin; c++) {
                            for (int ki = 0; ki < 3; ki++) {
                                for (int kj = 0; kj < 3; kj++) {
                                    int yi = i * stride + ki - 1;
                                    int xj = j * stride + kj - 1;
                                    if (yi >= 0 && yi < h && xj >= 0 && xj < w) {
                                        s += wt[((o * cin + c) * 3 + ki) * 3 + kj] * x[(c * h + yi) * w + xj];
                                    }
                                }
                            }
                        }
                        assertThat(got[(o * oh + i) * ow + j]).isCloseTo((float) s, within(1e-4f));
                    }
                }
            }
        }
    }

    @Test
    void groupNormMatchesDoublePrecisionReference() throws IOException {
        int n = 2;
        int c = 8;
        int groups = 4;
        int hw = 15;
        float[] gamma = randn(c);
        float[] beta = randn(c);
        Params p = params(new SafetensorsWriter().add("gn.weight", "F32", new long[] {c}, gamma)
                .add("gn.bias", "F32", new long[] {c}, beta));
        GroupNorm gn = GroupNorm.load(p, "gn", c, groups, 1e-6f);
        float[] x = randn(n * c * hw);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * 3 + 2; // non-zero mean, non-unit variance
        }
        NDArray xa = step.create(x, new Shape(n, c, 3, 5));
        NDArray y = gn.forward(xa);
        assertThat(y.getManager()).isSameAs(step);
        float[] got = y.toFloatArray();
        float[] ref = groupNormRef(x, n, c, groups, hw, gamma, beta, 1e-6);
        for (int i = 0; i < ref.length; i++) {
            assertThat(got[i]).isCloseTo(ref[i], within(1e-4f));
        }
        // 3-D input [N, C, L] takes the same path
        float[] got3 = gn.forward(step.create(x, new Shape(n, c, hw))).toFloatArray();
        for (int i = 0; i < ref.length; i++) {
            assertThat(got3[i]).isCloseTo(ref[i], within(1e-4f));
        }
        // explicit statistics: moments() then forward(x, mean, var) reproduces forward(x)
        NDArray[] mv = gn.moments(xa);
        assertThat(mv[0].getShape().getShape()).containsExactly(n, groups);
        float[] gotStats = gn.forward(xa, mv[0], mv[1]).toFloatArray();
        for (int i = 0; i < ref.length; i++) {
            assertThat(gotStats[i]).isCloseTo(ref[i], within(1e-4f));
        }
    }

    @Test
    void groupNormHandCheckedSingleGroup() {
        NDArray g = weightsManager.create(new float[] {2f});
        NDArray b = weightsManager.create(new float[] {1f});
        GroupNorm gn = new GroupNorm(1, g, b, 0f);
        // values 1,2,3,4: mean 2.5, biased var 1.25 → (x-2.5)/sqrt(1.25)*2+1
        float[] y = gn.forward(step.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2))).toFloatArray();
        double s = Math.sqrt(1.25);
        assertThat(y[0]).isCloseTo((float) (-1.5 / s * 2 + 1), within(1e-5f));
        assertThat(y[3]).isCloseTo((float) (1.5 / s * 2 + 1), within(1e-5f));
    }

    static float[] groupNormRef(float[] x, int n, int c, int groups, int hw, float[] gamma, float[] beta, double eps) {
        float[] out = new float[x.length];
        int cpg = c / groups;
        for (int s = 0; s < n; s++) {
            for (int g = 0; g < groups; g++) {
                int start = (s * c + g * cpg) * hw;
                int len = cpg * hw;
                double mean = 0;
                for (int i = 0; i < len; i++) {
                    mean += x[start + i];
                }
                mean /= len;
                double var = 0;
                for (int i = 0; i < len; i++) {
                    var += (x[start + i] - mean) * (x[start + i] - mean);
                }
                var /= len;
                for (int i = 0; i < len; i++) {
                    int ch = g * cpg + i / hw;
                    out[start + i] = (float) ((x[start + i] - mean) / Math.sqrt(var + eps) * gamma[ch] + beta[ch]);
                }
            }
        }
        return out;
    }

    @Test
    void layerNormMatchesReference() throws IOException {
        int d = 6;
        float[] gamma = randn(d);
        float[] beta = randn(d);
        Params p = params(new SafetensorsWriter().add("ln.weight", "F32", new long[] {d}, gamma)
                .add("ln.bias", "F32", new long[] {d}, beta));
        LayerNorm ln = LayerNorm.load(p, "ln", d, 1e-5f);
        float[] x = randn(4 * d);
        float[] got = ln.forward(step.create(x, new Shape(2, 2, d))).toFloatArray();
        for (int r = 0; r < 4; r++) {
            double mean = 0;
            double var = 0;
            for (int i = 0; i < d; i++) {
                mean += x[r * d + i];
            }
            mean /= d;
            for (int i = 0; i < d; i++) {
                var += Math.pow(x[r * d + i] - mean, 2);
            }
            var /= d;
            for (int i = 0; i < d; i++) {
                double ref = (x[r * d + i] - mean) / Math.sqrt(var + 1e-5) * gamma[i] + beta[i];
                assertThat(got[r * d + i]).isCloseTo((float) ref, within(1e-4f));
            }
        }
    }

    @Test
    void attentionMatchesReference() {
        int b = 2;
        int lq = 3;
        int lk = 4;
        int d = 5;
        float[] q = randn(b * lq * d);
        float[] k = randn(b * lk * d);
        float[] v = randn(b * lk * d);
        float[] mask = new float[lq * lk];
        mask[lk - 1] = Float.NEGATIVE_INFINITY; // query 0 cannot see key 3
        for (boolean masked : new boolean[] {false, true}) {
            NDArray out = Attention.scaledDotProduct(step.create(q, new Shape(b, lq, d)), step.create(k, new Shape(b, lk, d)),
                    step.create(v, new Shape(b, lk, d)), masked ? step.create(mask, new Shape(1, lq, lk)) : null);
            float[] got = out.toFloatArray();
            for (int bi = 0; bi < b; bi++) {
                for (int i = 0; i < lq; i++) {
                    double[] sc = new double[lk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < lk; j++) {
                        double s = 0;
                        for (int e = 0; e < d; e++) {
                            s += q[(bi * lq + i) * d + e] * k[(bi * lk + j) * d + e];
                        }
                        sc[j] = s / Math.sqrt(d) + (masked ? mask[i * lk + j] : 0);
                        max = Math.max(max, sc[j]);
                    }
                    double z = 0;
                    for (int j = 0; j < lk; j++) {
                        sc[j] = Math.exp(sc[j] - max);
                        z += sc[j];
                    }
                    for (int e = 0; e < d; e++) {
                        double o = 0;
                        for (int j = 0; j < lk; j++) {
                            o += sc[j] / z * v[(bi * lk + j) * d + e];
                        }
                        assertThat(got[(bi * lq + i) * d + e]).isCloseTo((float) o, within(1e-5f));
                    }
                }
            }
        }
    }

    @Test
    void downsampleUsesAsymmetricPaddingAndUpsampleIsNearest() throws IOException {
        // 1 channel, kernel = only the centre tap → picks x[2i, 2j]; bottom-right tap reads the zero padding
        float[] centre = new float[9];
        centre[4] = 1;
        float[] corner = new float[9];
        corner[8] = 1;
        Params p = params(new SafetensorsWriter()
                .add("d.conv.weight", "F32", new long[] {1, 1, 3, 3}, centre).add("d.conv.bias", "F32", new long[] {1}, new float[] {0})
                .add("e.conv.weight", "F32", new long[] {1, 1, 3, 3}, corner).add("e.conv.bias", "F32", new long[] {1}, new float[] {0})
                .add("u.conv.weight", "F32", new long[] {1, 1, 3, 3}, centre).add("u.conv.bias", "F32", new long[] {1}, new float[] {1}));
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i + 1;
        }
        NDArray xa = step.create(x, new Shape(1, 1, 4, 4));
        // pad (0,1,0,1) + stride-2 conv without padding: output (4+1-3)/2+1 = 2 per side; centre tap at (2i+1, 2j+1)
        NDArray d = Downsample2D.load(p, "d", 1, 0).forward(xa);
        assertThat(d.getShape().getShape()).containsExactly(1, 1, 2, 2);
        assertThat(d.toFloatArray()).containsExactly(6, 8, 14, 16);
        // bottom-right tap at (2i+2, 2j+2): row/col 4 is the zero padding
        assertThat(Downsample2D.load(p, "e", 1, 0).forward(xa).toFloatArray()).containsExactly(11, 0, 0, 0);
        // UNet style (padding 1): centre tap at (2i, 2j)
        assertThat(Downsample2D.load(p, "d", 1, 1).forward(xa).toFloatArray()).containsExactly(1, 3, 9, 11);

        NDArray u = Upsample2D.load(p, "u", 1).forward(step.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2)));
        assertThat(u.getShape().getShape()).containsExactly(1, 1, 4, 4);
        assertThat(u.toFloatArray()).containsExactly(2, 2, 3, 3, 2, 2, 3, 3, 4, 4, 5, 5, 4, 4, 5, 5);
    }

    @Test
    void resnetBlockMatchesComposition() throws IOException {
        int cin = 4;
        int cout = 8;
        SafetensorsWriter w = new SafetensorsWriter()
                .add("r.norm1.weight", "F32", new long[] {cin}, randn(cin)).add("r.norm1.bias", "F32", new long[] {cin}, randn(cin))
                .add("r.conv1.weight", "F32", new long[] {cout, cin, 3, 3}, randn(cout * cin * 9)).add("r.conv1.bias", "F32", new long[] {cout}, randn(cout))
                .add("r.time_emb_proj.weight", "F32", new long[] {cout, 3}, randn(cout * 3)).add("r.time_emb_proj.bias", "F32", new long[] {cout}, randn(cout))
                .add("r.norm2.weight", "F32", new long[] {cout}, randn(cout)).add("r.norm2.bias", "F32", new long[] {cout}, randn(cout))
                .add("r.conv2.weight", "F32", new long[] {cout, cout, 3, 3}, randn(cout * cout * 9)).add("r.conv2.bias", "F32", new long[] {cout}, randn(cout))
                .add("r.conv_shortcut.weight", "F32", new long[] {cout, cin, 1, 1}, randn(cout * cin)).add("r.conv_shortcut.bias", "F32", new long[] {cout}, randn(cout));
        Params p = params(w);
        ResnetBlock2D block = ResnetBlock2D.load(p, "r", cin, cout, 2, 1e-5f);
        NDArray x = step.create(randn(2 * cin * 16), new Shape(2, cin, 4, 4));
        NDArray temb = step.create(randn(2 * 3), new Shape(2, 3));
        NDArray got = block.forward(x, temb);
        assertThat(got.getManager()).isSameAs(step);

        GroupNorm n1 = GroupNorm.load(p, "r.norm1", cin, 2, 1e-5f);
        GroupNorm n2 = GroupNorm.load(p, "r.norm2", cout, 2, 1e-5f);
        Conv2d c1 = Conv2d.load(p, "r.conv1", 1, 1);
        Conv2d c2 = Conv2d.load(p, "r.conv2", 1, 1);
        Conv2d sc = Conv2d.load(p, "r.conv_shortcut", 1, 0);
        Linear t = Linear.load(p, "r.time_emb_proj");
        NDArray h = c1.forward(Ops.silu(n1.forward(x)));
        NDArray silu = temb.mul(temb.getNDArrayInternal().sigmoid());
        h = h.add(t.forward(silu).reshape(2, cout, 1, 1));
        h = c2.forward(Ops.silu(n2.forward(h)));
        NDArray ref = sc.forward(x).add(h);
        assertThat(got.sub(ref).abs().max().getFloat()).isLessThan(1e-5f);
    }

    @Test
    void opsStayInTheActivationManager() throws IOException {
        Params p = params(new SafetensorsWriter().add("gn.weight", "F32", new long[] {4}, randn(4))
                .add("gn.bias", "F32", new long[] {4}, randn(4)));
        GroupNorm gn = GroupNorm.load(p, "gn", 2, 1e-6f);
        int before = weightsManager.getManagedArrays().size();
        try (NDManager activations = NDManager.newBaseManager()) {
            NDArray x = activations.create(randn(4 * 9), new Shape(1, 4, 3, 3));
            for (int i = 0; i < 5; i++) {
                assertThat(gn.forward(x).getManager()).isSameAs(activations);
                assertThat(Ops.upsample2x(x).getManager()).isSameAs(activations);
            }
            // only the 10 results and x itself: group norm's temporaries were closed
            assertThat(activations.getManagedArrays()).hasSize(11);
        }
        assertThat(weightsManager.getManagedArrays().size()).isEqualTo(before);
    }
}
