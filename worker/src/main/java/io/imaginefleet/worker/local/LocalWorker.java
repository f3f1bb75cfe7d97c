package io.imaginefleet.worker.local;

import java.nio.file.Path;
import java.time.Duration;

import io.imaginefleet.common.storage.S3Settings;
import io.imaginefleet.worker.fleet.EngineFactory;
import io.imaginefleet.worker.fleet.FleetObserver;
import io.imaginefleet.worker.fleet.ImageEngine;
import io.imaginefleet.worker.fleet.Worker;
import io.imaginefleet.worker.fleet.WorkerConfig;

/** The local run's one worker: the fleet's own {@link Worker} on the given model, in this JVM. */
final class LocalWorker {
    private LocalWorker() {
    }

    /** Loads the model and starts taking jobs; closing drains the worker (the job in hand gets a few seconds). */
    static AutoCloseable start(String bootstrap, S3Settings s3, String modelName, Path modelDir, String device) {
        WorkerConfig config = new WorkerConfig("local-worker-" + ProcessHandle.current().pid(), bootstrap, s3, modelDir, null,
                modelName, Path.of(System.getProperty("user.home"), ".cache", "imagine-fleet", "models"), device,
                4, 1, Duration.ofSeconds(5), 4096L * 4096L);
        ImageEngine engine = EngineFactory.create(config);
        Worker worker = Worker.start(config, engine, FleetObserver.NONE);
        return () -> worker.drain(Duration.ofSeconds(5));
    }
}
