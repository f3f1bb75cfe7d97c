package io.imaginefleet.worker.fleet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.time.Duration;
import java.util.logging.Level;

/**
 * Runs one worker as a plain JVM, configured from the environment ({@link WorkerConfig#fromEnv}); used by tests that
 * kill workers and by the local run. SIGTERM/SIGINT drain (the job in hand finishes within
 * {@code WORKER_DRAIN_GRACE_SECONDS} or is released) and exit 0. Log level from {@code WORKER_LOG_LEVEL} (INFO);
 * Kafka's own logging is kept at WARNING.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        configureLogging(System.getenv().getOrDefault("WORKER_LOG_LEVEL", "INFO"));
        Logger log = LoggerFactory.getLogger(WorkerMain.class);
        WorkerConfig config = WorkerConfig.fromEnv(System.getenv());
        ImageEngine engine;
        try {
            engine = EngineFactory.create(config);
        } catch (RuntimeException e) {
            log.error("worker {} cannot start: {}", config.workerId(), e.getMessage());
            System.exit(2);
            return;
        }
        Worker worker = Worker.start(config, engine, FleetObserver.NONE);
        Runnable drain = () -> {
            worker.drain(config.drainGrace());
            System.exit(0);
        };
        Signal.handle(new Signal("TERM"), s -> new Thread(drain, "drain").start());
        Signal.handle(new Signal("INT"), s -> new Thread(drain, "drain").start());
        log.info("worker {} ready", config.workerId());
        while (!worker.consumer().awaitStopped(Duration.ofSeconds(60))) {
            // wait for a signal
        }
        // the intake loop ended on its own (fatal Kafka error): exit non-zero so a supervisor restarts us
        Thread.sleep(200);
        worker.drain(Duration.ZERO);
        System.exit(1);
    }

    /** Routes JUL through JBoss LogManager when present and keeps Kafka's and the embedded servers' logs quiet. */
    static void configureLogging(String level) {
        if (System.getProperty("java.util.logging.manager") == null) {
            try {
                Class.forName("org.jboss.logmanager.LogManager");
                System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
            } catch (ClassNotFoundException e) {
                // plain JUL
            }
        }
        java.util.logging.Logger.getLogger("").setLevel(Level.parse(level.toUpperCase(java.util.Locale.ROOT)
                .replace("WARN", "WARNING").replace("WARNINGING", "WARNING").replace("ERROR", "SEVERE").replace("DEBUG", "FINE")));
        for (String quiet : new String[] {"org.apache.kafka", "kafka", "ai.djl", "software.amazon"}) {
            java.util.logging.Logger.getLogger(quiet).setLevel(Level.WARNING);
        }
    }
}
