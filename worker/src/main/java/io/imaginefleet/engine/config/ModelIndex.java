package io.imaginefleet.engine.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.imaginefleet.engine.io.ModelFormatException;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A diffusers {@code model_index.json}: the pipeline class and, per component folder, the library and class
 * that implements it ({@code "vae": ["diffusers", "AutoencoderKL"]}). Components given as {@code [null, null]}
 * are absent and left out.
 *
 * @param className        the pipeline's {@code _class_name}
 * @param diffusersVersion {@code _diffusers_version} (may be null)
 * @param components       component name → its {@link Component}
 * @param attributes       other scalar entries (e.g. {@code requires_safety_checker}, {@code max_noise_level})
 */
public record ModelIndex(String className, String diffusersVersion, Map<String, Component> components,
                         Map<String, JsonNode> attributes) {

    /** One component: its library ({@code diffusers}, {@code transformers}) and class. */
    public record Component(String library, String className) {
    }

    /** Reads {@code modelDir/model_index.json}, or the given file. */
    public static ModelIndex read(Path modelDirOrFile) {
        Path file = modelDirOrFile.getFileName() != null && modelDirOrFile.getFileName().toString().endsWith(".json")
                ? modelDirOrFile : modelDirOrFile.resolve("model_index.json");
        JsonNode root = Configs.readTree(file);
        if (root == null || !root.isObject()) {
            throw new ModelFormatException("model index " + file + " is not a JSON object");
        }
        JsonNode cls = root.get("_class_name");
        if (cls == null || !cls.isTextual()) {
            throw new ModelFormatException("model index " + file + " has no _class_name");
        }
        Map<String, Component> comps = new LinkedHashMap<>();
        Map<String, JsonNode> attrs = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (k.startsWith("_")) {
                continue;
            }
            if (v.isArray() && v.size() == 2) {
                if (v.get(0).isTextual() && v.get(1).isTextual()) {
                    comps.put(k, new Component(v.get(0).asText(), v.get(1).asText()));
                }
            } else {
                attrs.put(k, v);
            }
        }
        JsonNode ver = root.get("_diffusers_version");
        return new ModelIndex(cls.asText(), ver == null || ver.isNull() ? null : ver.asText(),
                Collections.unmodifiableMap(comps), Collections.unmodifiableMap(attrs));
    }

    /** Whether component {@code name} is present. */
    public boolean has(String name) {
        return components.containsKey(name);
    }
}
