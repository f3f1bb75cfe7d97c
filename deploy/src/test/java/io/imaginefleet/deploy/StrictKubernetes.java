package io.imaginefleet.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses Kubernetes objects of built-in kinds with fabric8's model, strictly: the model keeps unknown fields in
 * {@code additionalProperties} instead of failing, so every parsed object graph is walked and any unknown field
 * (a typo, a field at the wrong level) fails with its path.
 */
final class StrictKubernetes {

    /** Built-in kinds the manifests may use, by {@code apiVersion/kind}. */
    static final Map<String, Class<? extends HasMetadata>> BUILT_IN = Map.of(
            "v1/Namespace", Namespace.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "v1/ServiceAccount", ServiceAccount.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class);

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private StrictKubernetes() {
    }

    static boolean isBuiltIn(Map<String, Object> object) {
        return BUILT_IN.containsKey(object.get("apiVersion") + "/" + object.get("kind"));
    }

    /** The typed object; fails (AssertionError naming the field path) on any unknown field. */
    static <T extends HasMetadata> T parse(Map<String, Object> object, Class<T> type) {
        T parsed;
        try {
            parsed = MAPPER.convertValue(object, type);
        } catch (IllegalArgumentException e) {
            throw new AssertionError(Kustomize.id(object) + " does not parse as " + type.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
        List<String> unknown = new ArrayList<>();
        walk(parsed, Kustomize.id(object), unknown);
        if (!unknown.isEmpty()) {
            throw new AssertionError(Kustomize.id(object) + " has fields " + type.getSimpleName()
                    + " does not know: " + unknown);
        }
        return parsed;
    }

    static HasMetadata parse(Map<String, Object> object) {
        Class<? extends HasMetadata> type = BUILT_IN.get(object.get("apiVersion") + "/" + object.get("kind"));
        if (type == null) {
            throw new AssertionError(Kustomize.id(object) + " is not a known built-in kind");
        }
        return parse(object, type);
    }

    private static void walk(Object node, String path, List<String> unknown) {
        if (node == null) {
            return;
        }
        if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", unknown);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown));
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : node.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = m.getName();
            try {
                if (name.equals("getAdditionalProperties")) {
                    Object extra = m.invoke(node);
                    if (extra instanceof Map<?, ?> extraMap && !extraMap.isEmpty()) {
                        extraMap.keySet().forEach(k -> unknown.add(path + "." + k));
                    }
                } else if (name.startsWith("get") && isModelOrContainer(m.getReturnType())) {
                    walk(m.invoke(node), path + "." + Character.toLowerCase(name.charAt(3)) + name.substring(4), unknown);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static boolean isModelOrContainer(Class<?> type) {
        return List.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)
                || type.getName().startsWith("io.fabric8.kubernetes.api.model");
    }
}
