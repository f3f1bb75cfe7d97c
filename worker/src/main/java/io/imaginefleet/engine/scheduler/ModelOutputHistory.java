package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The last few model outputs (or derivatives) a multistep scheduler keeps between steps, held as copies in a
 * manager the scheduler owns, because the caller frees its per-step arrays after each step.
 */
final class ModelOutputHistory implements AutoCloseable {

    private final int capacity;
    private final List<NDArray> items = new ArrayList<>();
    private NDManager manager;

    ModelOutputHistory(int capacity) {
        this.capacity = capacity;
    }

    /** Appends a copy of {@code array}, dropping (and freeing) the oldest entry beyond the capacity. */
    void push(NDArray array) {
        if (manager == null) {
            manager = NDManager.newBaseManager(array.getDevice());
        }
        NDArray copy = array.duplicate();
        copy.attach(manager);
        items.add(copy);
        while (items.size() > capacity) {
            items.remove(0).close();
        }
    }

    /** The entry {@code back} places from the newest ({@code 0} = newest). */
    NDArray fromEnd(int back) {
        return items.get(items.size() - 1 - back);
    }

    int size() {
        return items.size();
    }

    /** Frees every entry (a new schedule starts). */
    void clear() {
        items.clear();
        if (manager != null) {
            manager.close();
            manager = null;
        }
    }

    @Override
    public void close() {
        clear();
    }
}
