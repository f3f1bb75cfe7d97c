package io.imaginefleet.common.storage;

import io.imaginefleet.common.embedded.EmbeddedS3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The blob store against a real S3 server (S3Proxy, file store), including an outage and a wrong secret. */
class BlobStoreTest {
    @TempDir
    Path dir;

    @Test
    void putGetHeadListDeletePresignAndOutage() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.filesystem(dir.resolve("s3"), "test-access", "test-secret-value").start()) {
            s3.createBucket("imagine");
            try (BlobStore store = new BlobStore(s3.settings("imagine"))) {
                byte[] png = "not really a png".getBytes(StandardCharsets.UTF_8);
                store.put("results/j1/0.png", png, "image/png");
                store.put("results/j1/1.png", png, "image/png");
                store.put("inputs/x.png", png, "image/png");
                assertThat(store.get("results/j1/0.png")).isEqualTo(png);
                assertThat(store.head("results/j1/1.png")).contains((long) png.length);
                assertThat(store.head("results/j1/9.png")).isEmpty();
                assertThat(store.list("results/j1/")).containsExactly("results/j1/0.png", "results/j1/1.png");
                assertThatThrownBy(() -> store.get("results/nope.png"))
                        .isInstanceOfSatisfying(BlobStoreException.class, e -> {
                            assertThat(e.isNotFound()).isTrue();
                            assertThat(e.isTransient()).isFalse();
                        });

                var url = store.presignedGet("results/j1/0.png", Duration.ofMinutes(5));
                HttpURLConnection c = (HttpURLConnection) url.openConnection();
                assertThat(c.getResponseCode()).isEqualTo(200);
                try (InputStream in = c.getInputStream()) {
                    assertThat(in.readAllBytes()).isEqualTo(png);
                }

                store.delete("results/j1/1.png");
                assertThat(store.list("results/")).containsExactly("results/j1/0.png");

                s3.stop();
                assertThat(store.reachable()).isFalse();
                assertThatThrownBy(() -> store.put("results/j2/0.png", png, "image/png"))
                        .isInstanceOfSatisfying(BlobStoreException.class, e -> assertThat(e.isTransient()).isTrue())
                        .hasMessageNotContaining("test-secret-value");
                s3.start();
                assertThat(store.get("results/j1/0.png")).isEqualTo(png);
            }
            S3Settings wrong = new S3Settings(s3.endpoint(), "us-east-1", "imagine", "test-access", "wrong-secret", true);
            try (BlobStore bad = new BlobStore(wrong)) {
                assertThatThrownBy(() -> bad.get("results/j1/0.png"))
                        .isInstanceOfSatisfying(BlobStoreException.class, e -> assertThat(e.isTransient()).isFalse())
                        .hasMessageContaining("403");
            }
            assertThat(wrong.toString()).doesNotContain("wrong-secret");
        }
    }
}
