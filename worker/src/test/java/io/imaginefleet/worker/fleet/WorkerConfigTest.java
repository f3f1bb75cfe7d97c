package io.imaginefleet.worker.fleet;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The plain worker's environment: the drain grace is read under the Quarkus app's name and syntax. */
class WorkerConfigTest {
    @Test
    void drainGraceReadsDurationsAsQuarkusDoes() {
        assertThat(WorkerConfig.fromEnv(Map.of()).drainGrace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(WorkerConfig.fromEnv(Map.of("WORKER_DRAIN_GRACE", "840s")).drainGrace()).isEqualTo(Duration.ofSeconds(840));
        assertThat(WorkerConfig.fromEnv(Map.of("WORKER_DRAIN_GRACE", "840")).drainGrace()).isEqualTo(Duration.ofSeconds(840));
        assertThat(WorkerConfig.fromEnv(Map.of("WORKER_DRAIN_GRACE", "14m")).drainGrace()).isEqualTo(Duration.ofMinutes(14));
        assertThat(WorkerConfig.fromEnv(Map.of("WORKER_DRAIN_GRACE", "500ms")).drainGrace()).isEqualTo(Duration.ofMillis(500));
        assertThat(WorkerConfig.fromEnv(Map.of("WORKER_DRAIN_GRACE", "PT2H")).drainGrace()).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void aBadDrainGraceNamesTheSetting() {
        assertThatThrownBy(() -> WorkerConfig.fromEnv(Map.of("WORKER_DRAIN_GRACE", "soon")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("WORKER_DRAIN_GRACE must be a duration like 60s, 14m or PT14M, got 'soon'");
    }
}
