package io.imaginefleet.engine.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds schedulers from diffusers configs: by {@code _class_name}, or by sampler name with diffusers'
 * {@code Cls.from_config(base_config, **overrides)} semantics (keys the base config only took as defaults,
 * listed in {@code _use_default_values}, and private {@code _} keys are dropped; settings the target class does
 * not know are ignored; missing ones take the target class's defaults).
 */
public final class Schedulers {

    /** Sampler names accepted by {@link #create}, in CLI order. */
    public static final List<String> NAMES = List.of("ddim", "pndm", "lms", "euler", "euler-a", "dpmpp-2m",
            "dpmpp-2m-karras", "ddpm");

    private static final Map<String, Function<SchedulerConfig, Scheduler>> CLASSES = new LinkedHashMap<>();

    static {
        CLASSES.put("DDIMScheduler", DDIMScheduler::new);
        CLASSES.put("PNDMScheduler", PNDMScheduler::new);
        CLASSES.put("LMSDiscreteScheduler", LMSDiscreteScheduler::new);
        CLASSES.put("EulerDiscreteScheduler", EulerDiscreteScheduler::new);
        CLASSES.put("EulerAncestralDiscreteScheduler", EulerAncestralDiscreteScheduler::new);
        CLASSES.put("DPMSolverMultistepScheduler", DPMSolverMultistepScheduler::new);
        CLASSES.put("DDPMScheduler", DDPMScheduler::new);
    }

    private Schedulers() {
    }

    /** The scheduler a {@code scheduler_config.json} describes (by its {@code _class_name}). */
    public static Scheduler fromConfig(Path schedulerConfigJson) {
        return fromConfig(readJson(schedulerConfigJson));
    }

    /** The scheduler a parsed config (e.g. a fixture's fully resolved config) describes. */
    public static Scheduler fromConfig(JsonNode resolvedConfig) {
        JsonNode cls = resolvedConfig.get("_class_name");
        if (cls == null || !cls.isTextual()) {
            throw new IllegalArgumentException("scheduler config has no _class_name");
        }
        Function<SchedulerConfig, Scheduler> ctor = CLASSES.get(cls.asText());
        if (ctor == null) {
            throw new IllegalArgumentException("scheduler class '" + cls.asText() + "' is not supported; supported: "
                    + CLASSES.keySet());
        }
        return ctor.apply(SchedulerConfig.of(resolvedConfig));
    }

    /** The sampler {@code name} ({@link #NAMES}) configured from a model's {@code scheduler_config.json}. */
    public static Scheduler create(String name, Path baseSchedulerConfigJson) {
        return create(name, readJson(baseSchedulerConfigJson));
    }

    /** The sampler {@code name} ({@link #NAMES}) configured from a parsed base config. */
    public static Scheduler create(String name, JsonNode baseConfig) {
        if (!(baseConfig instanceof ObjectNode base)) {
            throw new IllegalArgumentException("scheduler config must be a JSON object");
        }
        ObjectNode config = base.deepCopy();
        Set<String> defaulted = new HashSet<>();
        JsonNode used = config.get("_use_default_values");
        if (used != null && used.isArray()) {
            used.forEach(n -> defaulted.add(n.asText()));
        }
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.startsWith("_") || defaulted.contains(key)) {
                it.remove();
            }
        }
        String cls;
        switch (name == null ? "" : name) {
            case "ddim" -> cls = "DDIMScheduler";
            case "pndm" -> {
                cls = "PNDMScheduler";
                config.put("skip_prk_steps", true);
            }
            case "lms" -> cls = "LMSDiscreteScheduler";
            case "euler" -> cls = "EulerDiscreteScheduler";
            case "euler-a" -> cls = "EulerAncestralDiscreteScheduler";
            case "dpmpp-2m", "dpmpp-2m-karras" -> {
                cls = "DPMSolverMultistepScheduler";
                config.put("algorithm_type", "dpmsolver++");
                config.put("solver_order", 2);
                config.put("use_karras_sigmas", name.endsWith("karras"));
            }
            case "ddpm" -> cls = "DDPMScheduler";
            default -> throw new IllegalArgumentException("unknown scheduler '" + name + "'; expected one of "
                    + NAMES);
        }
        config.put("_class_name", cls);
        return fromConfig(config);
    }

    private static JsonNode readJson(Path file) {
        try {
            return SchedulerConfig.JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new io.imaginefleet.engine.io.ModelFormatException("cannot read scheduler config " + file + ": " + e.getMessage(), e);
        }
    }
}
