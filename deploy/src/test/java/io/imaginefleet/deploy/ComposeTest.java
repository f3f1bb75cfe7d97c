package io.imaginefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.imaginefleet.common.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docker/} honest: the compose stack has Kafka in KRaft mode (official image) with the apps'
 * topics, MinIO with the bucket created, health checks, apps wired with exactly the settings they read and no
 * secret values; the Dockerfiles build what compose runs and the CUDA image points DJL at a matching libtorch.
 */
class ComposeTest {

    private static final AppSettings SETTINGS = AppSettings.load();
    /** {@code ${VAR}}, {@code ${VAR:-}}, {@code ${VAR:?message}}: an interpolation that carries no value. */
    private static final Pattern NO_VALUE = Pattern.compile("\\$\\{[A-Z][A-Z0-9_]*(:-|:\\?[^}]*)?}");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(SECRET|PASSWORD|ACCESS_KEY|ROOT_USER|JAAS).*|.*_TOKEN");

    private static Map<String, Object> compose() {
        return Repo.load(Repo.path("docker/compose.yaml"));
    }

    private static Map<String, Object> service(String name) {
        Object s = Repo.map(compose().get("services")).get(name);
        assertThat(s).as("compose service " + name).isNotNull();
        return Repo.map(s);
    }

    private static Map<String, Object> environment(Map<String, Object> service) {
        Object env = service.get("environment");
        assertThat(env).as("environment must be a mapping (so names can be checked)").isInstanceOfAny(Map.class);
        return env == null ? Map.of() : Repo.map(env);
    }

    @Test
    void kafkaRunsInKraftModeFromTheOfficialImage() {
        Map<String, Object> kafka = service("kafka");
        assertThat((String) kafka.get("image")).startsWith("apache/kafka:");
        Map<String, Object> env = environment(kafka);
        assertThat(env.get("KAFKA_PROCESS_ROLES").toString()).contains("broker").contains("controller");
        assertThat(env).containsKey("KAFKA_CONTROLLER_QUORUM_VOTERS").doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
        assertThat(Repo.map(compose().get("services")).keySet()).noneMatch(n -> n.contains("zookeeper"));
        String image = (String) kafka.get("image");
        String version = image.substring(image.indexOf(':') + 1);
        assertThat(version).as("broker >= 4.2 (share groups)").matches("4\\.([2-9]|\\d\\d).*|[5-9]\\..*");
    }

    @Test
    void kafkaInitCreatesTheAppsTopicsWithTheDlqRetainedLongest() {
        String script = Repo.list(service("kafka-init").get("command")).toString();
        long jobs = retention(script, Topics.JOBS);
        long events = retention(script, Topics.EVENTS);
        long dlq = retention(script, Topics.DLQ);
        assertThat(dlq).isGreaterThan(jobs).isGreaterThan(events);
        assertThat(script).contains(Topics.WORKER_SHARE_GROUP).contains("share.auto.offset.reset=earliest");
        assertThat(Repo.map(service("kafka-init").get("depends_on")).get("kafka").toString()).contains("service_healthy");
    }

    private static long retention(String script, String topic) {
        Matcher m = Pattern.compile("--topic " + Pattern.quote(topic) + "\\s[^\\n]*retention\\.ms=(\\d+)").matcher(script);
        assertThat(m.find()).as("kafka-init creates " + topic + " with a retention").isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void minioComesUpWithTheBucket() {
        Map<String, Object> init = service("minio-init");
        String script = Repo.list(init.get("command")).toString();
        assertThat(script).contains("mc mb").contains("S3_BUCKET");
        assertThat(Repo.map(init.get("depends_on")).get("minio").toString()).contains("service_healthy");
        for (String app : SETTINGS.apps()) {
            Map<String, Object> deps = Repo.map(service(app).get("depends_on"));
            assertThat(deps.get("minio-init").toString()).contains("service_completed_successfully");
            assertThat(deps.get("kafka-init").toString()).contains("service_completed_successfully");
        }
    }

    @Test
    void longRunningServicesHaveHealthChecks() {
        for (String name : new String[] {"kafka", "minio", "worker", "bot"}) {
            Map<String, Object> hc = Repo.map(service(name).get("healthcheck"));
            assertThat(hc).as(name + " healthcheck").isNotNull().containsKey("test");
        }
        for (String app : SETTINGS.apps()) {
            assertThat(Repo.map(service(app).get("healthcheck")).get("test").toString()).contains("/q/health/ready");
        }
    }

    @Test
    void appsGetExactlyTheSettingsTheyReadAndNoSecretValues() {
        for (String app : SETTINGS.apps()) {
            Map<String, Object> env = environment(service(app));
            assertThat(env.keySet()).as(app + " environment (deploy/app-settings.yaml)")
                    .containsExactlyInAnyOrderElementsOf(SETTINGS.namesFor(app));
            for (String name : env.keySet()) {
                if (SETTINGS.isSecret(name)) {
                    assertThat(String.valueOf(env.get(name))).as(app + ": secret " + name).matches(NO_VALUE);
                }
            }
        }
        Set<String> checked = new TreeSet<>();
        Repo.map(compose().get("services")).forEach((name, s) -> {
            Object env = Repo.map(s).get("environment");
            if (env instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if (SECRET_NAME.matcher((String) k).matches()) {
                        assertThat(String.valueOf(v)).as(name + ": " + k + " must come from the environment").matches(NO_VALUE);
                        checked.add(name + "." + k);
                    }
                });
            }
        });
        assertThat(checked).contains("minio.MINIO_ROOT_PASSWORD", "worker.S3_SECRET_KEY", "bot.DISCORD_TOKEN");
        assertThat(Repo.read(Repo.path("docker/.env.example"))).doesNotContainPattern("(?m)^(S3_SECRET_KEY|S3_ACCESS_KEY|DISCORD_TOKEN)=.+");
    }

    @Test
    void workersGetTimeToFinishTheLongestJob() {
        String grace = (String) service("worker").get("stop_grace_period");
        long drain = Duration.parse("PT" + ((String) environment(service("worker")).get("WORKER_DRAIN_GRACE")).toUpperCase()).toSeconds();
        assertThat(drain).isGreaterThanOrEqualTo(SETTINGS.longestJobSeconds());
        assertThat(Duration.parse("PT" + grace.toUpperCase()).toSeconds()).isGreaterThanOrEqualTo(drain + 30);
    }

    @Test
    void appsBuildFromTheirDockerfiles() {
        for (String app : SETTINGS.apps()) {
            Map<String, Object> build = Repo.map(service(app).get("build"));
            Path context = Repo.path("docker").resolve((String) build.get("context")).normalize();
            assertThat(context).isEqualTo(Repo.root());
            Path dockerfile = context.resolve((String) build.get("dockerfile"));
            assertThat(dockerfile).exists();
            String text = Repo.read(dockerfile);
            assertThat(text).contains("-pl " + app + " -am package").contains(app + "/target/quarkus-app/")
                    .contains("/q/health/ready");
            assertThat(Path.of(dockerfile + ".dockerignore")).as("build context filter").exists();
        }
    }

    @Test
    void cudaWorkerPointsDjlAtALibtorchMatchingPytorchJni() {
        String pom = Repo.read(Repo.path("pom.xml"));
        Matcher m = Pattern.compile("<pytorch.version>([^<]+)</pytorch.version>").matcher(pom);
        assertThat(m.find()).isTrue();
        String pytorch = m.group(1);
        String cuda = Repo.read(Repo.path("docker/worker-cuda.Dockerfile"));
        assertThat(cuda).contains("PYTORCH_LIBRARY_PATH=/opt/libtorch/lib")
                .contains("PYTORCH_VERSION=" + pytorch)
                .containsPattern("libtorch-[a-z0-9-]*-" + Pattern.quote(pytorch) + "%2Bcu12\\d\\.zip")
                .containsPattern("PYTORCH_FLAVOR=cu12\\d")
                .contains("WORKER_DEVICE=cuda");
        String cpu = Repo.read(Repo.path("docker/worker.Dockerfile"));
        assertThat(cpu).contains("-Dai.djl.offline=true").contains("DJL_CACHE_DIR=").doesNotContain("PYTORCH_LIBRARY_PATH");
        assertThat(Files.exists(Repo.path("docker/bot.Dockerfile"))).isTrue();
    }
}
