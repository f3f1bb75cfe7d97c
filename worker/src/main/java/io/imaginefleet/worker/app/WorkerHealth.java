package io.imaginefleet.worker.app;

import io.imaginefleet.worker.fleet.Worker;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

import java.util.concurrent.TimeUnit;

/** Readiness: model loaded and the job intake running, and Kafka reachable. Liveness: the intake has not died. */
public final class WorkerHealth {
    private WorkerHealth() {
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        private final WorkerLifecycle lifecycle;

        public Ready(WorkerLifecycle lifecycle) {
            this.lifecycle = lifecycle;
        }

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("worker");
            Worker w = lifecycle.worker();
            boolean loaded = w != null;
            b.withData("modelLoaded", loaded);
            if (loaded) {
                b.withData("models", String.join(",", w.engine().models()));
            }
            if (lifecycle.startupError() != null) {
                b.withData("error", lifecycle.startupError());
            }
            boolean kafka = kafkaReachable();
            b.withData("kafkaReachable", kafka);
            boolean intake = loaded && w.consumer().isRunning();
            return b.status(loaded && kafka && intake).build();
        }

        private boolean kafkaReachable() {
            try {
                lifecycle.admin().describeCluster().nodes().get(2, TimeUnit.SECONDS);
                return true;
            } catch (Exception e) {
                return false;
            }
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        private final WorkerLifecycle lifecycle;

        public Live(WorkerLifecycle lifecycle) {
            this.lifecycle = lifecycle;
        }

        @Override
        public HealthCheckResponse call() {
            Worker w = lifecycle.worker();
            boolean dead = w != null && !w.consumer().isRunning() || lifecycle.startupError() != null;
            return HealthCheckResponse.named("worker").status(!dead).build();
        }
    }
}
