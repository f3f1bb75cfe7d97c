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
 * The worker the flow tests run against: the real fleet worker on the tiny fixture models when the engine can load
 * them, else (while the engine's pipeline is not on main yet) the {@link ScriptedWorker}. Which one ran is logged
 * and exposed by {@link #real()}; {@code -Dbot.test.worker=scripted} forces the scripted one.
 */
final class TestWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(TestWorkers.class);
    private static volatile boolean real;

    private TestWorkers() {}

    static boolean real() {
        return real;
    }

    static AutoCloseable start(FleetEnv env) {
        if (!"scripted".equals(System.getProperty("bot.test.worker"))) {
            Path models = Path.of(System.getProperty("fixtures.dir", "../worker/src/test/fixtures/sd-tiny")).resolve("models");
            WorkerConfig cfg = new WorkerConfig("test-worker", env.kafka.bootstrapServers(), env.s3.settings("imagine"), models, null,
                    null, models, "cpu", 3, 1, Duration.ofSeconds(10), 4096L * 4096L);
            try {
                ImageEngine engine = EngineFactory.create(cfg);
                Worker w = Worker.start(cfg, engine, FleetObserver.NONE);
                real = true;
                LOG.info("flow tests run against the real fleet worker on {}", engine.models());
                return () -> w.drain(Duration.ofSeconds(5));
            } catch (UnsupportedOperationException e) {
                LOG.warn("real worker not available ({}); flow tests use the scripted worker", e.getMessage());
            }
        }
        real = false;
        return new ScriptedWorker(env.kafka.bootstrapServers(), env.blobs);
    }
}
