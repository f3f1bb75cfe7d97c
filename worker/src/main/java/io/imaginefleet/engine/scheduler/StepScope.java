package io.imaginefleet.engine.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The NDArray scope of one scheduler call: inputs are temporarily attached to a sub-manager of the sample's
 * manager so every intermediate is freed on {@link #close()}, and the result is attached to the sample's manager.
 */
final class StepScope implements AutoCloseable {

    private final NDManager target;
    private final NDManager scope;
    private final Set<NDArray> borrowed = Collections.newSetFromMap(new IdentityHashMap<>());

    StepScope(NDArray sample) {
        this.target = sample.getManager();
        this.scope = target.newSubManager();
    }

    /** Borrows an input for the duration of the call; op results with it as receiver land in this scope. */
    NDArray use(NDArray array) {
        if (array.getManager() != scope && borrowed.add(array)) {
            array.tempAttach(scope);
        }
        return array;
    }

    /** Hands a result (a new array created in this scope) to the sample's manager. */
    NDArray keep(NDArray result) {
        if (borrowed.contains(result)) {
            throw new IllegalStateException("a scheduler must return a new array, not one of its inputs");
        }
        result.attach(target);
        return result;
    }

    @Override
    public void close() {
        scope.close();
    }
}
