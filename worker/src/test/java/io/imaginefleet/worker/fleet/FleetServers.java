package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.embedded.EmbeddedKafka;
import io.imaginefleet.common.embedded.EmbeddedS3;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.storage.BlobStore;
import io.imaginefleet.common.storage.S3Settings;

import java.util.HashMap;
import java.util.Map;

/**
 * One real Kafka broker (in-process KRaft) and one real S3 server (S3Proxy) shared by the fleet tests of this JVM,
 * started on first use and stopped at JVM exit. External servers are used instead when {@code KAFKA_BOOTSTRAP_SERVERS}
 * / {@code S3_ENDPOINT} are set. The workers' share group gets a short record lock ({@link #LOCK_MS}) so a killed
 * worker's job comes back quickly.
 */
final class FleetServers {
    static final String BUCKET = "imagine-test";
    static final String ACCESS_KEY = "fleet-test-access";
    /** A recognisable secret: tests assert it never shows up in Kafka records or logs. */
    static final String SECRET_KEY = "s3cr3t-Fleet-Key-9f8e7d6c5b4a";
    static final int LOCK_MS = 6000;

    private static FleetServers shared;

    final EmbeddedKafka kafka;
    final EmbeddedS3 s3;

    private FleetServers() {
        WorkerMain.configureLogging("INFO");
        for (String quiet : new String[] {"org.eclipse.jetty", "org.gaul", "org.jclouds", "jclouds", "state.change.logger"}) {
            java.util.logging.Logger.getLogger(quiet).setLevel(java.util.logging.Level.WARNING);
        }
        kafka = EmbeddedKafka.fromEnvOrStart(null);
        kafka.createFleetTopics(1);
        kafka.setGroupConfig(Topics.WORKER_SHARE_GROUP, Map.of(
                "share.auto.offset.reset", "earliest",
                "share.record.lock.duration.ms", String.valueOf(LOCK_MS),
                "share.delivery.count.limit", "5"));
        s3 = EmbeddedS3.fromEnvOrStart(null, ACCESS_KEY, SECRET_KEY);
        s3.createBucket(BUCKET);
    }

    static synchronized FleetServers get() {
        if (shared == null) {
            shared = new FleetServers();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                shared.s3.close();
                shared.kafka.close();
            }));
        }
        return shared;
    }

    String bootstrap() {
        return kafka.bootstrapServers();
    }

    S3Settings s3Settings() {
        return s3.settings(BUCKET);
    }

    BlobStore blobs() {
        return new BlobStore(s3Settings());
    }

    /** Environment for a worker process on these servers. */
    Map<String, String> workerEnv(String workerId) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap());
        env.put("S3_ENDPOINT", s3.endpoint().toString());
        env.put("S3_REGION", "us-east-1");
        env.put("S3_BUCKET", BUCKET);
        env.put("S3_ACCESS_KEY", s3.accessKey());
        env.put("S3_SECRET_KEY", s3.secretKey());
        env.put("S3_PATH_STYLE", "true");
        env.put("WORKER_ID", workerId);
        return env;
    }

    WorkerConfig workerConfig(String workerId, java.nio.file.Path modelDir) {
        Map<String, String> env = workerEnv(workerId);
        env.put("WORKER_MODEL_DIR", modelDir.toString());
        env.put("WORKER_PROGRESS_EVERY", "1");
        env.put("WORKER_DRAIN_GRACE", "30s");
        return WorkerConfig.fromEnv(env);
    }
}
