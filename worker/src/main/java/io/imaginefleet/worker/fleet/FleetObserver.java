package io.imaginefleet.worker.fleet;

import java.util.Map;

/** Hooks for metrics (the Quarkus app feeds Micrometer from them); all methods default to doing nothing. */
public interface FleetObserver {
    /** A job ended with {@code outcome} (completed, failed, released, rejected, cancelled); phase timings in ms. */
    default void jobFinished(String outcome, String code, Map<String, Long> timingsMillis) {
    }

    /** Denoising speed of the last job. */
    default void stepsPerSecond(double rate) {
    }

    /** A job started (true) or ended (false) on this worker. */
    default void busy(boolean busy) {
    }

    FleetObserver NONE = new FleetObserver() {
    };
}
