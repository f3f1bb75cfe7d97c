package io.imaginefleet.worker.app;

import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.QueueDepth;
import io.imaginefleet.worker.fleet.EngineFactory;
import io.imaginefleet.worker.fleet.ImageEngine;
import io.imaginefleet.worker.fleet.Worker;
import io.imaginefleet.worker.fleet.WorkerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts the worker when the app starts (the model loads in the background: readiness stays DOWN until it is
 * loaded and the worker takes jobs) and drains it on shutdown (SIGTERM): no new jobs, the job in hand finishes
 * within {@code worker.drain-grace} or is released.
 */
@ApplicationScoped
public class WorkerLifecycle {
    private static final Logger LOG = Logger.getLogger(WorkerLifecycle.class);

    private final WorkerSettings settings;
    private final WorkerMetrics metrics;
    private volatile Worker worker;
    private volatile String startupError;
    private volatile boolean shuttingDown;
    private Admin admin;
    private ScheduledExecutorService scheduler;

    public WorkerLifecycle(WorkerSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.metrics = new WorkerMetrics(registry);
    }

    void onStart(@Observes StartupEvent ev) {
        WorkerConfig config = settings.toWorkerConfig();
        admin = Admin.create(KafkaSettings.admin(config.kafkaBootstrap()));
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "worker-lifecycle");
            t.setDaemon(true);
            return t;
        });
        scheduler.execute(() -> start(config));
        long every = settings.queueDepthInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::refreshQueueDepth, every, every, TimeUnit.MILLISECONDS);
    }

    private void start(WorkerConfig config) {
        try {
            LOG.infof("worker %s loading models (dir %s, s3 prefix %s)", config.workerId(), config.modelDir(), config.modelS3Prefix());
            ImageEngine engine = EngineFactory.create(config);
            if (shuttingDown) {
                engine.close();
                return;
            }
            worker = Worker.start(config, engine, metrics);
        } catch (RuntimeException e) {
            startupError = e.getMessage();
            LOG.errorf("worker %s cannot start: %s", config.workerId(), e.getMessage());
        }
    }

    private void refreshQueueDepth() {
        try {
            metrics.queueDepth(QueueDepth.jobsWaiting(admin));
        } catch (Exception e) {
            LOG.debugf("queue depth not available: %s", e.toString());
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        shuttingDown = true;
        Worker w = worker;
        if (w != null) {
            w.drain(settings.drainGrace());
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (admin != null) {
            admin.close();
        }
    }

    /** The running worker, or null while the model loads (or when it failed to start). */
    public Worker worker() {
        return worker;
    }

    public String startupError() {
        return startupError;
    }

    Admin admin() {
        return admin;
    }
}
