package io.imaginefleet.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small Kustomize renderer for the subset {@code deploy/} uses (no kustomize binary on the build machines):
 * {@code resources} (files and directories), {@code patches} with {@code path} (strategic-merge style: maps merge,
 * lists of named items merge by {@code name}, other lists are replaced), {@code images} ({@code newName},
 * {@code newTag}), {@code namespace} and {@code labels.pairs} (metadata only). Anything else in a kustomization
 * fails, so the renderer never silently diverges from what the manifests ask for.
 */
final class Kustomize {

    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "patches", "images",
            "namespace", "labels");

    private Kustomize() {
    }

    /** The rendered objects of the kustomization in {@code dir}. */
    static List<Map<String, Object>> build(Path dir) {
        Map<String, Object> k = Repo.load(dir.resolve("kustomization.yaml"));
        for (String key : k.keySet()) {
            if (!SUPPORTED.contains(key)) {
                throw new AssertionError(dir + "/kustomization.yaml: field '" + key + "' is not supported by the test renderer");
            }
        }
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object r : Repo.list(k.get("resources"))) {
            Path p = dir.resolve((String) r).normalize();
            if (Files.isDirectory(p)) {
                objects.addAll(build(p));
            } else {
                if (!Files.isRegularFile(p)) {
                    throw new AssertionError(dir + "/kustomization.yaml: resource " + r + " does not exist");
                }
                objects.addAll(Repo.loadAll(p));
            }
        }
        for (Object entry : Repo.list(k.get("patches"))) {
            Map<String, Object> patch = Repo.map(entry);
            if (patch.size() != 1 || !patch.containsKey("path")) {
                throw new AssertionError(dir + ": only 'patches: - path: FILE' is supported, got " + patch);
            }
            Path file = dir.resolve((String) patch.get("path"));
            if (!Files.isRegularFile(file)) {
                throw new AssertionError(dir + ": patch " + file + " does not exist");
            }
            for (Map<String, Object> doc : Repo.loadAll(file)) {
                Map<String, Object> target = find(objects, doc);
                if (target == null) {
                    throw new AssertionError(file + ": patch target " + id(doc) + " is not a resource of " + dir);
                }
                merge(target, doc);
            }
        }
        for (Object entry : Repo.list(k.get("images"))) {
            Map<String, Object> image = Repo.map(entry);
            int used = 0;
            for (Map<String, Object> o : objects) {
                for (Map<String, Object> c : containers(o)) {
                    String ref = (String) c.get("image");
                    String name = ref.contains(":") ? ref.substring(0, ref.lastIndexOf(':')) : ref;
                    String tag = ref.contains(":") ? ref.substring(ref.lastIndexOf(':') + 1) : null;
                    if (name.equals(image.get("name"))) {
                        String newName = image.containsKey("newName") ? (String) image.get("newName") : name;
                        Object newTag = image.containsKey("newTag") ? image.get("newTag") : tag;
                        c.put("image", newTag == null ? newName : newName + ":" + newTag);
                        used++;
                    }
                }
            }
            if (used == 0) {
                throw new AssertionError(dir + ": image " + image.get("name") + " is used by no container");
            }
        }
        if (k.get("namespace") instanceof String ns) {
            for (Map<String, Object> o : objects) {
                if (!"Namespace".equals(o.get("kind"))) {
                    Repo.map(o.get("metadata")).put("namespace", ns);
                }
            }
        }
        for (Object entry : Repo.list(k.get("labels"))) {
            Map<String, Object> pairs = Repo.map(Repo.map(entry).get("pairs"));
            for (Map<String, Object> o : objects) {
                Map<String, Object> meta = Repo.map(o.get("metadata"));
                Map<String, Object> labels = meta.get("labels") == null ? new LinkedHashMap<>() : Repo.map(meta.get("labels"));
                labels.putAll(pairs);
                meta.put("labels", labels);
            }
        }
        return objects;
    }

    /** apiVersion/kind/name of an object. */
    static String id(Map<String, Object> o) {
        return o.get("apiVersion") + "/" + o.get("kind") + "/" + Repo.at(o, "metadata.name");
    }

    static Map<String, Object> find(List<Map<String, Object>> objects, Map<String, Object> like) {
        for (Map<String, Object> o : objects) {
            if (id(o).equals(id(like))) {
                return o;
            }
        }
        return null;
    }

    static Map<String, Object> find(List<Map<String, Object>> objects, String kind, String name) {
        for (Map<String, Object> o : objects) {
            if (kind.equals(o.get("kind")) && name.equals(Repo.at(o, "metadata.name"))) {
                return o;
            }
        }
        return null;
    }

    static List<Map<String, Object>> ofKind(List<Map<String, Object>> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    /** The containers of a Deployment's pod template (empty for other kinds). */
    static List<Map<String, Object>> containers(Map<String, Object> o) {
        if (!"Deployment".equals(o.get("kind"))) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        Repo.list(Repo.at(o, "spec.template.spec.containers")).forEach(c -> out.add(Repo.map(c)));
        Repo.list(Repo.at(o, "spec.template.spec.initContainers")).forEach(c -> out.add(Repo.map(c)));
        return out;
    }

    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> target, Map<String, Object> patch) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            Object have = target.get(e.getKey());
            Object want = e.getValue();
            if (want instanceof Map<?, ?> wm && have instanceof Map<?, ?> hm) {
                merge((Map<String, Object>) hm, (Map<String, Object>) wm);
            } else if (want instanceof List<?> wl && have instanceof List<?> hl && namedItems(wl) && namedItems(hl)) {
                List<Object> merged = (List<Object>) hl;
                for (Object item : wl) {
                    Map<String, Object> wi = (Map<String, Object>) item;
                    Map<String, Object> match = null;
                    for (Object h : merged) {
                        if (((Map<String, Object>) h).get("name").equals(wi.get("name"))) {
                            match = (Map<String, Object>) h;
                        }
                    }
                    if (match != null) {
                        merge(match, wi);
                    } else {
                        merged.add(Repo.deepCopy(wi));
                    }
                }
            } else {
                target.put(e.getKey(), Repo.deepCopy(want));
            }
        }
    }

    private static boolean namedItems(List<?> list) {
        return !list.isEmpty() && list.stream().allMatch(i -> i instanceof Map<?, ?> m && m.get("name") instanceof String);
    }

    /** Every YAML file under {@code dir} (recursively). */
    static Set<Path> yamlFiles(Path dir) {
        try (var stream = Files.walk(dir)) {
            Set<Path> out = new TreeSet<>();
            stream.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).forEach(p -> out.add(p.normalize()));
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The files a kustomization (and the ones it includes) names, itself included. */
    static Set<Path> referencedFiles(Path dir) {
        Set<Path> out = new TreeSet<>();
        out.add(dir.resolve("kustomization.yaml").normalize());
        Map<String, Object> k = Repo.load(dir.resolve("kustomization.yaml"));
        for (Object r : Repo.list(k.get("resources"))) {
            Path p = dir.resolve((String) r).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(referencedFiles(p));
            } else {
                out.add(p);
            }
        }
        for (Object entry : Repo.list(k.get("patches"))) {
            out.add(dir.resolve((String) Repo.map(entry).get("path")).normalize());
        }
        return out;
    }
}
