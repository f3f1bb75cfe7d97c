package io.imaginefleet.worker.app;

import io.imaginefleet.common.storage.S3Settings;
import io.imaginefleet.worker.fleet.WorkerConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The worker app's typed configuration (prefix {@code worker}); application.properties maps the environment
 * variables onto it ({@code KAFKA_BOOTSTRAP_SERVERS, S3_ENDPOINT, S3_REGION, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY,
 * S3_PATH_STYLE, WORKER_MODEL_DIR, WORKER_MODEL_S3_PREFIX, WORKER_MODEL_NAME, WORKER_ID, WORKER_DEVICE}).
 */
@ConfigMapping(prefix = "worker")
public interface WorkerSettings {
    /** Worker id in events and DLQ headers; default host-pid. */
    Optional<String> id();

    Kafka kafka();

    S3 s3();

    Model model();

    /** cpu or cuda. */
    @WithDefault("cpu")
    String device();

    /** Deliveries a job gets before it goes to the DLQ (keep below the group's share.delivery.count.limit). */
    @WithDefault("4")
    int maxAttempts();

    /** A progress event every this many steps. */
    @WithDefault("5")
    int progressEvery();

    /** How long a job in hand may run on after SIGTERM before it is released. */
    @WithDefault("60s")
    Duration drainGrace();

    /** Largest input picture, in pixels, checked before decoding. */
    @WithDefault("16777216")
    long maxInputPixels();

    /** How often the queue depth metric is refreshed. */
    @WithDefault("15s")
    Duration queueDepthInterval();

    interface Kafka {
        @WithDefault("localhost:9092")
        String bootstrapServers();
    }

    interface S3 {
        /** Empty means AWS itself. */
        Optional<URI> endpoint();

        @WithDefault("us-east-1")
        String region();

        @WithDefault("imagine")
        String bucket();

        Optional<String> accessKey();

        Optional<String> secretKey();

        /** Default: true when an endpoint is set. */
        Optional<Boolean> pathStyle();
    }

    interface Model {
        /** A diffusers folder (model_index.json inside) or a folder of them. */
        Optional<Path> dir();

        /** Or an S3 prefix mirrored into {@link #cache()} at start. */
        Optional<String> s3Prefix();

        /** Name jobs use for a single model; default the folder name. */
        Optional<String> name();

        @WithDefault("${user.home}/.cache/imagine-fleet/models")
        Path cache();
    }

    /** The plain-Java worker config these settings describe. */
    default WorkerConfig toWorkerConfig() {
        S3Settings s3 = new S3Settings(s3().endpoint().orElse(null), s3().region(), s3().bucket(),
                s3().accessKey().orElse(null), s3().secretKey().orElse(null),
                s3().pathStyle().orElse(s3().endpoint().isPresent()));
        return new WorkerConfig(id().orElseGet(WorkerConfig::defaultWorkerId), kafka().bootstrapServers(), s3,
                model().dir().orElse(null), model().s3Prefix().orElse(null), model().name().orElse(null), model().cache(),
                device(), maxAttempts(), progressEvery(), drainGrace(), maxInputPixels());
    }
}
