package io.imaginefleet.worker.app;

import io.imaginefleet.common.embedded.EmbeddedKafka;
import io.imaginefleet.common.embedded.EmbeddedS3;
import io.imaginefleet.common.kafka.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A real broker and S3 server for the worker app test, and the app's config pointing at them and the tiny model. */
public class FleetTestResource implements QuarkusTestResourceLifecycleManager {
    static final String SECRET = "app-s3-secret-7c1d0e";
    private EmbeddedKafka kafka;
    private EmbeddedS3 s3;

    @Override
    public Map<String, String> start() {
        kafka = EmbeddedKafka.fromEnvOrStart(null);
        kafka.createFleetTopics(1);
        kafka.setGroupConfig(Topics.WORKER_SHARE_GROUP, Map.of("share.auto.offset.reset", "earliest", "share.record.lock.duration.ms", "5000"));
        s3 = EmbeddedS3.fromEnvOrStart(null, "app-access", SECRET);
        s3.createBucket("imagine-app");
        Map<String, String> cfg = new HashMap<>();
        cfg.put("worker.id", "app-worker");
        cfg.put("worker.kafka.bootstrap-servers", kafka.bootstrapServers());
        cfg.put("worker.s3.endpoint", s3.endpoint().toString());
        cfg.put("worker.s3.bucket", "imagine-app");
        cfg.put("worker.s3.access-key", s3.accessKey());
        cfg.put("worker.s3.secret-key", s3.secretKey());
        cfg.put("worker.s3.path-style", "true");
        cfg.put("worker.model.dir", Path.of(System.getProperty("fixtures.dir"), "models", "tiny-sd").toString());
        cfg.put("worker.progress-every", "1");
        cfg.put("worker.queue-depth-interval", "1s");
        return cfg;
    }

    @Override
    public void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
