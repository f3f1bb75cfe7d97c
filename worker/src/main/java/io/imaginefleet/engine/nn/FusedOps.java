package io.imaginefleet.engine.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * libtorch operators that DJL's Java API does not expose, reached through a tiny TorchScript module that is
 * written in memory (TorchScript source plus a three-opcode pickle, no Python needed) and loaded with DJL's
 * {@link JniUtils#loadModule}: {@code scaled_dot_product_attention} (libtorch's fused, blocked "flash"
 * attention on CPU and CUDA: it never materialises the score matrix), {@code group_norm} (optionally fused with
 * an in-place SiLU) and GEGLU.
 *
 * <p>{@link #available()} is false when the module cannot be loaded (another engine than PyTorch, an
 * incompatible libtorch); callers then fall back to compositions of DJL operators. The system property
 * {@code imaginefleet.fusedOps=false} switches the fused path off (for comparisons and tests).
 *
 * <p>Results are attached to the manager of the first tensor argument, like any DJL operator.
 */
public final class FusedOps {
    private static final String CLASS = "FusedOps";
    private static final String SOURCE = String.join("\n",
            "class FusedOps(Module):",
            "  __parameters__ = []",
            "  __buffers__ = []",
            "  training : bool",
            "  def forward(self: __torch__.FusedOps, x: Tensor) -> Tensor:",
            "    return x",
            "  def sdpa(self: __torch__.FusedOps, q: Tensor, k: Tensor, v: Tensor) -> Tensor:",
            "    return torch.scaled_dot_product_attention(q, k, v)",
            "  def group_norm(self: __torch__.FusedOps, x: Tensor, w: Tensor, b: Tensor, groups: int, eps: float,"
                    + " silu: bool) -> Tensor:",
            "    y = torch.group_norm(x, groups, w, b, eps, False)",
            "    if silu:",
            "      y = torch.silu_(y)",
            "    return y",
            "  def silu(self: __torch__.FusedOps, x: Tensor) -> Tensor:",
            "    return torch.silu(x)",
            "  def geglu(self: __torch__.FusedOps, h: Tensor) -> Tensor:",
            "    parts = torch.chunk(h, 2, -1)",
            "    return torch.mul(parts[0], torch.gelu(parts[1]))",
            "");

    private static volatile PtSymbolBlock module;
    private static volatile boolean failed;
    private static volatile String failure;

    private FusedOps() {
    }

    /** Whether the fused operators can be used (PyTorch engine, module loaded, not switched off). */
    public static boolean available() {
        if (!Boolean.parseBoolean(System.getProperty("imaginefleet.fusedOps", "true"))) {
            return false;
        }
        return module() != null;
    }

    /** Why the fused operators are unavailable, or null. */
    public static String failure() {
        return failure;
    }

    /** {@code scaled_dot_product_attention(q, k, v)} on [B, heads, L, d] (strided views are fine), no mask. */
    public static NDArray sdpa(NDArray q, NDArray k, NDArray v) {
        return call("sdpa", q, IValue.from((PtNDArray) q), IValue.from((PtNDArray) k), IValue.from((PtNDArray) v));
    }

    /** {@code group_norm(x, groups, w, b, eps)}, followed by an in-place SiLU when {@code silu}. */
    public static NDArray groupNorm(NDArray x, NDArray w, NDArray b, int groups, double eps, boolean silu) {
        return call("group_norm", x, IValue.from((PtNDArray) x), IValue.from((PtNDArray) w), IValue.from((PtNDArray) b),
                IValue.from((long) groups), IValue.from(eps), IValue.from(silu));
    }

    /** SiLU in one pass. */
    public static NDArray silu(NDArray x) {
        return call("silu", x, IValue.from((PtNDArray) x));
    }

    /** GEGLU on the last axis: {@code a, g = h.chunk(2, -1); a * gelu(g)} (exact erf GELU). */
    public static NDArray geglu(NDArray h) {
        return call("geglu", h, IValue.from((PtNDArray) h));
    }

    private static NDArray call(String method, NDArray receiver, IValue... args) {
        PtSymbolBlock m = module();
        if (m == null) {
            for (IValue a : args) {
                a.close();
            }
            throw new IllegalStateException("fused operators unavailable: " + failure);
        }
        try (IValue result = IValueUtils.runMethod(m, method, args)) {
            return result.toTensor((PtNDManager) receiver.getManager());
        } finally {
            for (IValue a : args) {
                a.close();
            }
        }
    }

    private static PtSymbolBlock module() {
        PtSymbolBlock m = module;
        if (m != null || failed) {
            return m;
        }
        synchronized (FusedOps.class) {
            if (module == null && !failed) {
                try {
                    if (!"PyTorch".equals(Engine.getInstance().getEngineName())) {
                        throw new IllegalStateException("engine is " + Engine.getInstance().getEngineName());
                    }
                    // a manager of its own that lives as long as the process: the module has no parameters
                    NDManager owner = NDManager.newBaseManager();
                    module = JniUtils.loadModule((PtNDManager) owner, new ByteArrayInputStream(archive()), false, false);
                } catch (RuntimeException | IOException | LinkageError e) {
                    failed = true;
                    failure = e.toString();
                }
            }
            return module;
        }
    }

    /** The TorchScript archive (zip, stored entries): code, an object pickle, empty constants, format version. */
    static byte[] archive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, "fusedops/data.pkl", objectPickle());
            put(zip, "fusedops/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
            put(zip, "fusedops/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            put(zip, "fusedops/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.toByteArray();
    }

    /** Pickle (protocol 2) of {@code __torch__.FusedOps} with state {@code {"training": False}}. */
    private static byte[] objectPickle() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x80);
        o.write(2);
        o.writeBytes(("c__torch__\n" + CLASS + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        o.write(')'); // EMPTY_TUPLE
        o.write(0x81); // NEWOBJ
        o.write('}'); // EMPTY_DICT
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        o.write('X'); // BINUNICODE
        o.writeBytes(new byte[] {(byte) key.length, 0, 0, 0});
        o.writeBytes(key);
        o.write(0x89); // NEWFALSE
        o.write('s'); // SETITEM
        o.write('b'); // BUILD
        o.write('.'); // STOP
        return o.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
