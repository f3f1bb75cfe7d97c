package io.imaginefleet.engine.io;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Frees direct and memory-mapped buffers at once ({@code sun.misc.Unsafe#invokeCleaner}, from the
 * {@code jdk.unsupported} module) rather than when the garbage collector finds them unreachable. Loading a model
 * maps every tensor and copies it into libtorch; without this, the mapped pages of already-copied tensors stay
 * resident until a GC and the peak memory of a load nearly doubles. When the cleaner is unavailable the buffer is
 * simply left to the garbage collector.
 */
public final class DirectBuffers {

    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method clean = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            clean = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            clean = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = clean;
    }

    private DirectBuffers() {
    }

    /** Whether buffers are freed eagerly on this JVM. */
    public static boolean eager() {
        return INVOKE_CLEANER != null;
    }

    /**
     * Releases {@code buf}'s memory (unmaps a mapping) now. The caller guarantees nothing uses it any more: any
     * later access would read freed memory. {@code null} and heap buffers are ignored.
     */
    public static void free(ByteBuffer buf) {
        if (buf == null || !buf.isDirect() || INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buf);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a slice/duplicate or an unsupported JVM: leave it to the garbage collector
        }
    }
}
