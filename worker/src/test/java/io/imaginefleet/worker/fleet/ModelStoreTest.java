package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.storage.BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Model folders from a local path or mirrored from an S3 prefix (real S3 server), and the env config mapping. */
class ModelStoreTest {
    @TempDir
    Path tmp;

    @Test
    void mirrorsAnS3PrefixIntoTheCacheOnceAndFindsTheModel() throws Exception {
        Path tiny = TestModels.tinySd().toRealPath();
        try (BlobStore blobs = FleetServers.get().blobs(); Stream<Path> files = Files.walk(tiny)) {
            List<Path> list = files.filter(Files::isRegularFile).toList();
            for (Path f : list) {
                blobs.put("models/tiny-sd/" + tiny.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f), "application/octet-stream");
            }
            Path cache = tmp.resolve("cache");
            Path dir = ModelStore.mirror(blobs, "models/tiny-sd", cache);
            assertThat(dir).isEqualTo(cache.resolve("tiny-sd"));
            for (Path f : list) {
                assertThat(dir.resolve(tiny.relativize(f).toString())).hasSameBinaryContentAs(f);
            }
            long before = Files.getLastModifiedTime(dir.resolve("model_index.json")).toMillis();
            Thread.sleep(20);
            ModelStore.mirror(blobs, "models/tiny-sd/", cache);
            assertThat(Files.getLastModifiedTime(dir.resolve("model_index.json")).toMillis()).isEqualTo(before);
            assertThat(ModelStore.scan(dir, null)).containsOnlyKeys("tiny-sd");
            assertThatThrownBy(() -> ModelStore.mirror(blobs, "models/none", cache)).hasMessageContaining("no objects under");
        }
    }

    @Test
    void scansOneModelOrAFolderOfModelsAndReadsTheEnvironment() {
        assertThat(ModelStore.scan(TestModels.tinySd(), null)).containsOnlyKeys("tiny-sd");
        assertThat(ModelStore.scan(TestModels.tinySd(), "demo")).containsOnlyKeys("demo");
        assertThat(ModelStore.scan(TestModels.fixtures().resolve("models"), null)).containsKey("tiny-sd").hasSizeGreaterThan(1);
        assertThatThrownBy(() -> ModelStore.scan(tmp, null)).hasMessageContaining("no diffusers model");
        assertThatThrownBy(() -> ModelStore.scan(tmp.resolve("nope"), null)).hasMessageContaining("WORKER_MODEL_DIR");

        WorkerConfig c = WorkerConfig.fromEnv(Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:1", "S3_ENDPOINT", "http://s3:9000",
                "S3_BUCKET", "b", "S3_ACCESS_KEY", "ak", "S3_SECRET_KEY", "very-secret", "WORKER_MODEL_DIR", "/models",
                "WORKER_ID", "w7", "WORKER_DEVICE", "cuda", "WORKER_MODEL_S3_PREFIX", "models/sd15/"));
        assertThat(c.kafkaBootstrap()).isEqualTo("k:1");
        assertThat(c.s3().pathStyle()).isTrue();
        assertThat(c.s3().region()).isEqualTo("us-east-1");
        assertThat(c.s3().toString()).doesNotContain("very-secret");
        assertThat(c.toString()).doesNotContain("very-secret");
        assertThat(c.workerId()).isEqualTo("w7");
        assertThat(c.device()).isEqualTo("cuda");
        assertThat(c.modelDir()).isEqualTo(Path.of("/models"));
        assertThat(c.modelS3Prefix()).isEqualTo("models/sd15/");
        assertThat(c.maxAttempts()).isEqualTo(4);
    }
}
