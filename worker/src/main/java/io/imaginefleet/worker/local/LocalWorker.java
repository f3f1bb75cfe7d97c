package io.imaginefleet.worker.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.imaginefleet.common.storage.S3Settings;
import io.imaginefleet.worker.fleet.EngineFactory;
import io.imaginefleet.worker.fleet.FleetObserver;
import io.imaginefleet.worker.fleet.ImageEngine;
import io.imaginefleet.worker.fleet.Worker;
import io.imaginefleet.worker.fleet.WorkerConfig;

/**
 * The local run's one worker: the fleet's own {@link Worker} on the given model, in this JVM. The model starts
 * loading at once (it needs neither Kafka nor S3), in parallel with the embedded servers.
 */
final class LocalWorker {
    private final WorkerConfig config;
    private final CompletableFuture<ImageEngine> engine;

    private LocalWorker(WorkerConfig config) {
        this.config = config;
        this.engine = CompletableFuture.supplyAsync(() -> EngineFactory.create(config));
    }

    /** Starts loading the model for a worker that will use these (not yet started) servers. */
    static LocalWorker loading(String bootstrap, S3Settings s3, String modelName, Path modelDir, String device) {
        return new LocalWorker(new WorkerConfig("local-worker-" + ProcessHandle.current().pid(), bootstrap, s3, modelDir, null,
                modelName, Path.of(System.getProperty("user.home"), ".cache", "imagine-fleet", "models"), device,
                4, 1, Duration.ofSeconds(5), 4096L * 4096L));
    }

    /**
     * Waits for the model, then starts taking jobs; closing drains the worker (the job in hand gets a few seconds).
     *
     * @throws RuntimeException the model's load failure, as thrown by the engine
     */
    AutoCloseable start() {
        ImageEngine e;
        try {
            e = engine.join();
        } catch (CompletionException ce) {
            throw ce.getCause() instanceof RuntimeException re ? re : ce;
        }
        Worker worker = Worker.start(config, e, FleetObserver.NONE);
        return () -> worker.drain(Duration.ofSeconds(5));
    }

    /** Frees the model when the worker never started. */
    void abandon() {
        engine.thenAccept(ImageEngine::close);
    }
}
