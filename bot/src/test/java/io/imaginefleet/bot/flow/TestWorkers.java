package io.imaginefleet.bot.flow;

import io.imaginefleet.worker.fleet.EngineFactory;
import io.imaginefleet.worker.fleet.FleetObserver;
import io.imaginefleet.worker.fleet.ImageEngine;
import io.imaginefleet.worker.fleet.Worker;
import io.imaginefleet.worker.fleet.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker the flow tests run against: the real fleet worker ({@code io.imaginefleet.worker.fleet}) on the tiny
 * fixture models, progress every step. {@code -Dbot.test.worker=scripted} swaps in the {@link ScriptedWorker}
 * (bot-side debugging only); a failure to load the real one fails the tests.
 */
final class TestWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(TestWorkers.class);

    private TestWorkers() {}

    static AutoCloseable start(FleetEnv env) {
        if ("scripted".equals(System.getProperty("bot.test.worker"))) {
            LOG.warn("flow tests use the scripted worker (-Dbot.test.worker=scripted)");
            return new ScriptedWorker(env.kafka.bootstrapServers(), env.blobs);
        }
        Path models = Path.of(System.getProperty("fixtures.dir", "../worker/src/test/fixtures/sd-tiny")).resolve("models");
        WorkerConfig cfg = new WorkerConfig("test-worker", env.kafka.bootstrapServers(), env.s3.settings("imagine"), models, null,
                null, models, "cpu", 3, 1, Duration.ofSeconds(10), 4096L * 4096L);
        ImageEngine engine = EngineFactory.create(cfg);
        Worker w = Worker.start(cfg, engine, FleetObserver.NONE);
        LOG.info("flow tests run against the real fleet worker on {}", engine.models());
        return () -> w.drain(Duration.ofSeconds(5));
    }
}
