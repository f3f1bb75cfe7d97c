package io.imaginefleet.worker.app;

import io.imaginefleet.worker.fleet.FleetObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Prometheus metrics of the worker: {@code imagine_jobs_total{outcome,code}}, {@code imagine_job_phase_seconds{phase}}
 * (queue, inputs, text, denoise, decode, engine, encode, upload, total), {@code imagine_steps_per_second},
 * {@code imagine_worker_busy} and {@code imagine_queue_depth} (jobs waiting in the share group, for autoscaling).
 */
public final class WorkerMetrics implements FleetObserver {
    private final MeterRegistry registry;
    private final AtomicReference<Double> stepsPerSecond = new AtomicReference<>(0.0);
    private final AtomicLong busy = new AtomicLong();
    private final AtomicLong queueDepth = new AtomicLong(-1);

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("imagine.steps.per.second", stepsPerSecond, AtomicReference::get);
        registry.gauge("imagine.worker.busy", busy);
        registry.gauge("imagine.queue.depth", queueDepth);
        for (String outcome : new String[] {"completed", "failed", "released", "cancelled"}) {
            Counter.builder("imagine.jobs").tag("outcome", outcome).tag("code", "none").register(registry);
        }
    }

    @Override
    public void jobFinished(String outcome, String code, Map<String, Long> timingsMillis) {
        Counter.builder("imagine.jobs").description("jobs by outcome").tag("outcome", outcome).tag("code", code == null ? "none" : code)
                .register(registry).increment();
        timingsMillis.forEach((phase, ms) -> Timer.builder("imagine.job.phase").description("job latency by phase")
                .tag("phase", phase).register(registry).record(Duration.ofMillis(ms)));
    }

    @Override
    public void stepsPerSecond(double rate) {
        stepsPerSecond.set(rate);
    }

    @Override
    public void busy(boolean isBusy) {
        busy.set(isBusy ? 1 : 0);
    }

    void queueDepth(long depth) {
        queueDepth.set(depth);
    }
}
