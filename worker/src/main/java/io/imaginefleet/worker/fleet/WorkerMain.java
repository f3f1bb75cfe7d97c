package io.imaginefleet.worker.fleet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.time.Duration;
import java.util.logging.Level;

/**
 * Runs one worker as a plain JVM, configured from the environment ({@link WorkerConfig#fromEnv}); used by tests that
 * kill workers and by the local run. SIGTERM/SIGINT drain (the job in hand finishes within
 * {@code WORKER_DRAIN_GRACE} or is released) and exit 0. Log level from {@code WORKER_LOG_LEVEL} (INFO);
 * Kafka's own logging is kept at WARNING.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        installConsoleLogging();
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
        Thread drain = new Thread(() -> {
            worker.drain(config.drainGrace());
            System.exit(0);
        }, "drain");
        drain.setDaemon(false);
        java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();
        sun.misc.SignalHandler onSignal = s -> {
            if (signalled.compareAndSet(false, true)) {
                drain.start();
            }
        };
        Signal.handle(new Signal("TERM"), onSignal);
        Signal.handle(new Signal("INT"), onSignal);
        log.info("worker {} ready", config.workerId());
        while (!worker.consumer().awaitStopped(Duration.ofSeconds(60))) {
            // wait for a signal
        }
        if (signalled.get()) {
            drain.join(); // drain exits the JVM with 0
            return;
        }
        // the intake loop ended on its own (fatal Kafka error): exit non-zero so a supervisor restarts us
        worker.drain(Duration.ZERO);
        System.exit(1);
    }

    /** Replaces the root log handlers with one plain console handler on stderr (for JVMs that are not Quarkus apps). */
    public static void installConsoleLogging() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        for (java.util.logging.Handler h : root.getHandlers()) {
            root.removeHandler(h); // e.g. Quarkus' delayed handler, which only a Quarkus app would flush
        }
        {
            java.util.logging.ConsoleHandler console = new java.util.logging.ConsoleHandler();
            console.setLevel(Level.ALL);
            console.setFormatter(new java.util.logging.Formatter() {
                @Override
                public String format(java.util.logging.LogRecord r) {
                    String msg = formatMessage(r);
                    String thrown = r.getThrown() == null ? "" : " " + r.getThrown();
                    return String.format("%1$tT.%1$tL %2$-7s [%3$s] %4$s%5$s%n", r.getMillis(), r.getLevel().getName(),
                            r.getLoggerName() == null ? "" : r.getLoggerName().substring(r.getLoggerName().lastIndexOf('.') + 1), msg, thrown);
                }
            });
            root.addHandler(console);
        }
    }

    /**
     * Sets log levels (root from {@code level}; Kafka, DJL and the AWS SDK at WARNING). Start the JVM with
     * {@code -Djava.util.logging.manager=org.jboss.logmanager.LogManager} (bin/ scripts and tests do) so that
     * slf4j (bound to JBoss LogManager on this classpath) and JUL share one configuration.
     */
    public static void configureLogging(String level) {
        java.util.logging.Logger.getLogger("").setLevel(Level.parse(level.toUpperCase(java.util.Locale.ROOT)
                .replace("WARN", "WARNING").replace("WARNINGING", "WARNING").replace("ERROR", "SEVERE").replace("DEBUG", "FINE")));
        for (String quiet : new String[] {"org.apache.kafka", "kafka", "ai.djl", "software.amazon"}) {
            java.util.logging.Logger.getLogger(quiet).setLevel(Level.WARNING);
        }
    }
}
