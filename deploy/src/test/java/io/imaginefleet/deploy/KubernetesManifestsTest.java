package io.imaginefleet.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.imaginefleet.common.kafka.Topics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps {@code deploy/} honest: the base and each overlay are rendered (see {@link Kustomize}) and every object
 * checked — built-in kinds parse strictly with fabric8's model, the CRD objects (KEDA ScaledObject, Strimzi
 * KafkaTopic, Prometheus-operator ServiceMonitor) carry the fields they need, and the env wiring of both apps
 * matches {@code deploy/app-settings.yaml} both ways.
 */
class KubernetesManifestsTest {

    private static final AppSettings SETTINGS = AppSettings.load();

    static Stream<String> kustomizations() {
        return Stream.of("deploy/base", "deploy/overlays/cpu-dev", "deploy/overlays/gpu-prod");
    }

    private static List<Map<String, Object>> render(String dir) {
        return Kustomize.build(Repo.path(dir));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void everyObjectIsAKnownKindAndBuiltInKindsParseStrictly(String dir) {
        List<Map<String, Object>> objects = render(dir);
        assertThat(objects).isNotEmpty();
        Set<String> ids = new TreeSet<>();
        for (Map<String, Object> o : objects) {
            assertThat(ids.add(Kustomize.id(o))).as("duplicate object %s", Kustomize.id(o)).isTrue();
            if (StrictKubernetes.isBuiltIn(o)) {
                StrictKubernetes.parse(o);
            } else {
                assertThat(o.get("apiVersion") + "/" + o.get("kind")).as("custom resource in " + dir)
                        .isIn("keda.sh/v1alpha1/ScaledObject", "kafka.strimzi.io/v1beta2/KafkaTopic",
                                "monitoring.coreos.com/v1/ServiceMonitor");
            }
        }
        if (!dir.equals("deploy/base")) {
            for (Map<String, Object> o : objects) {
                if (!"Namespace".equals(o.get("kind"))) {
                    assertThat(Repo.at(o, "metadata.namespace")).as("namespace of %s", Kustomize.id(o))
                            .isEqualTo("imagine-fleet");
                }
            }
        }
    }

    @Test
    void theStrictParserRejectsUnknownAndMisplacedFields() {
        Map<String, Object> deployment = Kustomize.find(render("deploy/base"), "Deployment", "worker");
        Map<String, Object> typo = Repo.map(Repo.deepCopy(deployment));
        Repo.map(Repo.list(Repo.at(typo, "spec.template.spec.containers")).get(0)).put("imagePullPolcy", "Always");
        assertThatThrownBy(() -> StrictKubernetes.parse(typo))
                .isInstanceOf(AssertionError.class).hasMessageContaining("imagePullPolcy");
        Map<String, Object> misplaced = Repo.map(Repo.deepCopy(deployment));
        Repo.map(misplaced.get("spec")).put("terminationGracePeriodSeconds", 10);
        assertThatThrownBy(() -> StrictKubernetes.parse(misplaced))
                .isInstanceOf(AssertionError.class).hasMessageContaining("spec.terminationGracePeriodSeconds");
    }

    @Test
    void everyManifestFileIsPartOfAKustomization() {
        Set<Path> referenced = new TreeSet<>();
        kustomizations().forEach(d -> referenced.addAll(Kustomize.referencedFiles(Repo.path(d))));
        Set<Path> files = new TreeSet<>(Kustomize.yamlFiles(Repo.path("deploy/base")));
        files.addAll(Kustomize.yamlFiles(Repo.path("deploy/overlays")));
        assertThat(referenced).containsAll(files);
    }

    // ------------------------------------------------------------------------------------------- env wiring

    @ParameterizedTest
    @MethodSource("kustomizations")
    void eachAppGetsExactlyTheSettingsItReadsAndSecretsOnlyFromSecrets(String dir) {
        List<Map<String, Object>> objects = render(dir);
        Map<String, ConfigMap> configMaps = new HashMap<>();
        for (Map<String, Object> o : Kustomize.ofKind(objects, "ConfigMap")) {
            ConfigMap cm = StrictKubernetes.parse(o, ConfigMap.class);
            configMaps.put(cm.getMetadata().getName(), cm);
            for (String key : cm.getData().keySet()) {
                assertThat(SETTINGS.allNames()).as("ConfigMap %s key %s is a setting the apps read", cm.getMetadata().getName(), key)
                        .contains(key);
                assertThat(SETTINGS.isSecret(key)).as("secret %s in ConfigMap %s", key, cm.getMetadata().getName()).isFalse();
            }
        }
        for (String app : SETTINGS.apps()) {
            Container container = appContainer(objects, app);
            Set<String> provided = new TreeSet<>();
            for (EnvFromSource from : container.getEnvFrom()) {
                assertThat(from.getSecretRef()).as(app + ": envFrom secretRef hides which settings it sets").isNull();
                ConfigMap cm = configMaps.get(from.getConfigMapRef().getName());
                assertThat(cm).as(app + ": envFrom ConfigMap %s exists", from.getConfigMapRef().getName()).isNotNull();
                for (String key : cm.getData().keySet()) {
                    assertThat(provided.add(key)).as(app + ": %s set twice", key).isTrue();
                }
            }
            for (EnvVar env : container.getEnv()) {
                assertThat(provided.add(env.getName())).as(app + ": %s set twice", env.getName()).isTrue();
                if (SETTINGS.isSecret(env.getName())) {
                    assertThat(env.getValue()).as(app + ": secret %s has a literal value", env.getName()).isNull();
                    assertThat(env.getValueFrom().getSecretKeyRef()).as(app + ": secret %s from a Secret", env.getName())
                            .isNotNull();
                }
            }
            assertThat(provided).as(app + " env in " + dir + " (deploy/app-settings.yaml)")
                    .containsExactlyInAnyOrderElementsOf(SETTINGS.namesFor(app));
        }
    }

    private static Container appContainer(List<Map<String, Object>> objects, String app) {
        Map<String, Object> raw = Kustomize.find(objects, "Deployment", app);
        assertThat(raw).as("Deployment " + app).isNotNull();
        Deployment d = StrictKubernetes.parse(raw, Deployment.class);
        return d.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals(app)).findFirst()
                .orElseThrow(() -> new AssertionError("Deployment " + app + " has no container named " + app));
    }

    private static Deployment deployment(List<Map<String, Object>> objects, String name) {
        return StrictKubernetes.parse(Kustomize.find(objects, "Deployment", name), Deployment.class);
    }

    // -------------------------------------------------------------------------------------------- workloads

    @ParameterizedTest
    @MethodSource("kustomizations")
    void workersAreReadyWhenTheModelIsLoadedAndOutliveTheLongestJob(String dir) {
        List<Map<String, Object>> objects = render(dir);
        Deployment worker = deployment(objects, "worker");
        Container c = appContainer(objects, "worker");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        long grace = worker.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
        long drain = java.time.Duration.parse("PT" + configValue(objects, "WORKER_DRAIN_GRACE").toUpperCase()).toSeconds();
        assertThat(drain).as("the worker drains for at least the longest job").isGreaterThanOrEqualTo(SETTINGS.longestJobSeconds());
        assertThat(grace).as("Kubernetes waits for the drain before SIGKILL").isGreaterThanOrEqualTo(drain + 30);
        Container bot = appContainer(objects, "bot");
        assertThat(bot.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(deployment(objects, "bot").getSpec().getStrategy().getType())
                .as("one gateway session per token").isEqualTo("Recreate");
    }

    @Test
    void gpuProdRunsCudaWorkersOnGpuNodes() {
        List<Map<String, Object>> objects = render("deploy/overlays/gpu-prod");
        Deployment worker = deployment(objects, "worker");
        Container c = appContainer(objects, "worker");
        assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(worker.getSpec().getTemplate().getSpec().getNodeSelector()).isNotEmpty();
        assertThat(worker.getSpec().getTemplate().getSpec().getTolerations()).extracting(Toleration::getKey)
                .contains("nvidia.com/gpu");
        assertThat(c.getImage()).contains("worker-cuda");
        assertThat(configValue(objects, "WORKER_DEVICE")).isEqualTo("cuda");
    }

    @Test
    void cpuDevRunsCpuWorkers() {
        List<Map<String, Object>> objects = render("deploy/overlays/cpu-dev");
        Container c = appContainer(objects, "worker");
        assertThat(c.getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        assertThat(c.getResources().getRequests()).doesNotContainKey("nvidia.com/gpu");
        assertThat(c.getImage()).doesNotContain("cuda");
        assertThat(configValue(objects, "WORKER_DEVICE")).isEqualTo("cpu");
    }

    private static String configValue(List<Map<String, Object>> objects, String key) {
        for (Map<String, Object> o : Kustomize.ofKind(objects, "ConfigMap")) {
            Object v = Repo.at(o, "data." + key);
            if (v != null) {
                return v.toString();
            }
        }
        throw new AssertionError("no ConfigMap sets " + key);
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void servicesAndDisruptionBudgetsSelectTheAppPods(String dir) {
        List<Map<String, Object>> objects = render(dir);
        List<Deployment> deployments = Kustomize.ofKind(objects, "Deployment").stream()
                .map(o -> StrictKubernetes.parse(o, Deployment.class)).toList();
        for (Map<String, Object> o : Kustomize.ofKind(objects, "Service")) {
            Service s = StrictKubernetes.parse(o, Service.class);
            Deployment target = selected(deployments, s.getSpec().getSelector(), "Service " + s.getMetadata().getName());
            Set<String> portNames = new TreeSet<>();
            target.getSpec().getTemplate().getSpec().getContainers()
                    .forEach(c -> c.getPorts().forEach(p -> portNames.add(p.getName())));
            for (ServicePort p : s.getSpec().getPorts()) {
                assertThat(portNames).as("targetPort of Service " + s.getMetadata().getName())
                        .contains(p.getTargetPort().getStrVal());
            }
        }
        for (Map<String, Object> o : Kustomize.ofKind(objects, "PodDisruptionBudget")) {
            PodDisruptionBudget pdb = StrictKubernetes.parse(o, PodDisruptionBudget.class);
            selected(deployments, pdb.getSpec().getSelector().getMatchLabels(), "PDB " + pdb.getMetadata().getName());
            assertThat(pdb.getSpec().getMinAvailable()).as("minAvailable would block scale-to-zero drains").isNull();
        }
        for (Deployment d : deployments) {
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        }
    }

    private static Deployment selected(List<Deployment> deployments, Map<String, String> selector, String what) {
        assertThat(selector).as(what + " selector").isNotEmpty();
        return deployments.stream()
                .filter(d -> d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                .findFirst().orElseThrow(() -> new AssertionError(what + " selects no Deployment's pods: " + selector));
    }

    // ------------------------------------------------------------------------------------------------- CRDs

    @ParameterizedTest
    @MethodSource("kustomizations")
    void scaledObjectScalesWorkersFromZeroOnQueueDepth(String dir) {
        List<Map<String, Object>> objects = render(dir);
        List<Map<String, Object>> scaled = Kustomize.ofKind(objects, "ScaledObject");
        assertThat(scaled).hasSize(1);
        Map<String, Object> so = scaled.get(0);
        assertThat(Repo.map(so.get("spec")).keySet()).as("ScaledObject spec fields")
                .isSubsetOf("scaleTargetRef", "minReplicaCount", "maxReplicaCount", "pollingInterval", "cooldownPeriod",
                        "idleReplicaCount", "initialCooldownPeriod", "fallback", "advanced", "triggers");
        assertThat(Repo.at(so, "spec.scaleTargetRef.kind")).isEqualTo("Deployment");
        assertThat(Kustomize.find(objects, "Deployment", (String) Repo.at(so, "spec.scaleTargetRef.name")))
                .as("scale target exists").isNotNull();
        assertThat(Repo.at(so, "spec.scaleTargetRef.name")).isEqualTo("worker");
        assertThat(Repo.at(so, "spec.minReplicaCount")).as("scale to zero").isEqualTo(0);
        assertThat((Integer) Repo.at(so, "spec.maxReplicaCount")).isGreaterThanOrEqualTo(1);
        assertThat((Integer) Repo.at(so, "spec.cooldownPeriod")).as("a sane cooldown").isBetween(60, 3600);
        List<Object> triggers = Repo.list(Repo.at(so, "spec.triggers"));
        assertThat(triggers).hasSize(1);
        Map<String, Object> trigger = Repo.map(triggers.get(0));
        assertThat(trigger.get("type")).isEqualTo("prometheus");
        Map<String, Object> meta = Repo.map(trigger.get("metadata"));
        assertThat((String) meta.get("serverAddress")).matches("https?://[^\\s]+");
        assertThat((String) meta.get("query")).contains("imagine_queue_depth");
        String query = (String) meta.get("query");
        java.util.regex.Matcher metric = java.util.regex.Pattern.compile("([a-z_:]+)\\{").matcher(query);
        Set<String> metrics = new TreeSet<>();
        while (metric.find()) {
            metrics.add(metric.group(1));
        }
        assertThat(metrics).as("metrics in the query").isNotEmpty();
        String sources = appSources();
        for (String m : metrics) {
            assertThat(sources).as("an app registers " + m + " (Micrometer name " + m.replace('_', '.') + ")")
                    .containsAnyOf("\"" + m + "\"", "\"" + m.replace('_', '.') + "\"");
        }
        assertThat(query).as("scale-from-zero: a term no worker has to export").contains("imagine_bot_");
        assertThat(meta.get("threshold")).as("KEDA metadata values are strings").isInstanceOf(String.class);
        assertThat(Double.parseDouble((String) meta.get("threshold"))).isPositive();
        assertThat(Double.parseDouble((String) meta.get("activationThreshold"))).isGreaterThanOrEqualTo(0);
    }

    /** The Java sources of the apps (and common), concatenated. */
    private static String appSources() {
        StringBuilder all = new StringBuilder();
        for (String module : new String[] {"common", "worker", "bot"}) {
            try (Stream<Path> files = java.nio.file.Files.walk(Repo.path(module + "/src/main/java"))) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> all.append(Repo.read(f)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return all.toString();
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void kafkaTopicsAreTheAppsTopicsWithTheDlqRetainedLongest(String dir) {
        List<Map<String, Object>> objects = render(dir);
        Map<String, Long> retention = new HashMap<>();
        Set<String> clusters = new TreeSet<>();
        for (Map<String, Object> t : Kustomize.ofKind(objects, "KafkaTopic")) {
            assertThat(Repo.map(t.get("spec")).keySet()).isSubsetOf("topicName", "partitions", "replicas", "config");
            Map<String, Object> labels = Repo.map(Repo.at(t, "metadata.labels"));
            assertThat(labels).as("Strimzi cluster label").containsKey("strimzi.io/cluster");
            clusters.add((String) labels.get("strimzi.io/cluster"));
            int partitions = (Integer) Repo.at(t, "spec.partitions");
            int replicas = (Integer) Repo.at(t, "spec.replicas");
            assertThat(partitions).isPositive();
            assertThat(replicas).isPositive();
            Map<String, Object> config = Repo.map(Repo.at(t, "spec.config"));
            if (config.containsKey("min.insync.replicas")) {
                assertThat(((Number) config.get("min.insync.replicas")).intValue()).isBetween(1, replicas);
            }
            retention.put((String) Repo.at(t, "spec.topicName"), ((Number) config.get("retention.ms")).longValue());
        }
        assertThat(clusters).as("one Strimzi cluster label").hasSize(1);
        assertThat(retention.keySet()).containsExactlyInAnyOrder(Topics.JOBS, Topics.EVENTS, Topics.DLQ);
        assertThat(retention.get(Topics.DLQ)).isGreaterThan(retention.get(Topics.JOBS))
                .isGreaterThan(retention.get(Topics.EVENTS));
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void serviceMonitorScrapesBothApps(String dir) {
        List<Map<String, Object>> objects = render(dir);
        List<Map<String, Object>> monitors = Kustomize.ofKind(objects, "ServiceMonitor");
        assertThat(monitors).hasSize(1);
        Map<String, Object> sm = monitors.get(0);
        assertThat(Repo.map(sm.get("spec")).keySet()).isSubsetOf("selector", "endpoints", "namespaceSelector",
                "jobLabel", "targetLabels", "podTargetLabels", "sampleLimit");
        Map<String, Object> selector = Repo.map(Repo.at(sm, "spec.selector"));
        Set<String> scraped = new TreeSet<>();
        for (Map<String, Object> o : Kustomize.ofKind(objects, "Service")) {
            Service s = StrictKubernetes.parse(o, Service.class);
            if (matches(selector, s.getMetadata().getLabels())) {
                scraped.add(s.getMetadata().getName());
                for (Object e : Repo.list(Repo.at(sm, "spec.endpoints"))) {
                    String port = (String) Repo.map(e).get("port");
                    assertThat(s.getSpec().getPorts()).extracting(ServicePort::getName).contains(port);
                    assertThat(Repo.map(e).get("path")).isEqualTo("/q/metrics");
                }
            }
        }
        assertThat(scraped).containsExactlyInAnyOrderElementsOf(SETTINGS.apps());
    }

    /** A label selector with matchLabels and matchExpressions (In / NotIn / Exists / DoesNotExist). */
    private static boolean matches(Map<String, Object> selector, Map<String, String> labels) {
        Map<String, String> have = labels == null ? Map.of() : labels;
        Object matchLabels = selector.get("matchLabels");
        if (matchLabels != null && !have.entrySet().containsAll(Repo.map(matchLabels).entrySet())) {
            return false;
        }
        for (Object e : Repo.list(selector.get("matchExpressions"))) {
            Map<String, Object> expr = Repo.map(e);
            String value = have.get((String) expr.get("key"));
            List<Object> values = Repo.list(expr.get("values"));
            boolean ok = switch ((String) expr.get("operator")) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown operator " + expr);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void networkPoliciesDenyInboundExceptMetrics(String dir) {
        List<Map<String, Object>> objects = render(dir);
        List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> policies = Kustomize.ofKind(objects, "NetworkPolicy")
                .stream().map(o -> StrictKubernetes.parse(o, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class))
                .toList();
        assertThat(policies).anySatisfy(p -> {
            assertThat(p.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
            assertThat(p.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
            assertThat(p.getSpec().getPolicyTypes()).containsExactly("Ingress");
            assertThat(p.getSpec().getIngress()).isNullOrEmpty();
        });
    }
}
