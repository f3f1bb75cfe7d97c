package io.imaginefleet.engine.scheduler;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.reflect.RecordComponent;

/**
 * The union of the {@code scheduler_config.json} settings the diffusers schedulers of this package read (diffusers
 * 0.27.2 names, snake_case in JSON). Unknown keys are ignored; a missing (or {@code null}) key stays {@code null}
 * until {@link #withDefaults(SchedulerConfig)} fills it from the defaults of the scheduler class that uses it, as
 * the Python {@code __init__} signature does.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SchedulerConfig(
        @JsonProperty("_class_name") String className,
        Integer numTrainTimesteps,
        Double betaStart,
        Double betaEnd,
        String betaSchedule,
        double[] trainedBetas,
        String predictionType,
        String timestepSpacing,
        Integer stepsOffset,
        Boolean clipSample,
        Double clipSampleRange,
        Boolean setAlphaToOne,
        Boolean thresholding,
        Boolean rescaleBetasZeroSnr,
        Boolean skipPrkSteps,
        String varianceType,
        Boolean useKarrasSigmas,
        Double sigmaMin,
        Double sigmaMax,
        String interpolationType,
        String timestepType,
        Integer solverOrder,
        String algorithmType,
        String solverType,
        Boolean lowerOrderFinal,
        Boolean eulerAtFinal,
        Boolean useLuLambdas,
        String finalSigmasType,
        Double lambdaMinClipped) {

    /** Jackson mapper for scheduler configs: accepts Python's {@code -Infinity}/{@code NaN} literals. */
    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Reads a config from a JSON tree (a parsed {@code scheduler_config.json} or a resolved config). */
    public static SchedulerConfig of(JsonNode json) {
        try {
            return JSON.treeToValue(json, SchedulerConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("scheduler config: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a config from JSON text (used for the per-class defaults). */
    public static SchedulerConfig of(String json) {
        try {
            return of(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("scheduler config: " + e.getOriginalMessage(), e);
        }
    }

    /** This config with every {@code null} setting taken from {@code defaults}. */
    public SchedulerConfig withDefaults(SchedulerConfig defaults) {
        RecordComponent[] components = SchedulerConfig.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                Object mine = components[i].getAccessor().invoke(this);
                values[i] = mine != null ? mine : components[i].getAccessor().invoke(defaults);
                types[i] = components[i].getType();
            }
            return SchedulerConfig.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fails with a message naming the setting unless {@code ok}. */
    static void require(boolean ok, String scheduler, String setting, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(scheduler + ": scheduler_config setting " + setting + "=" + value
                    + " is not supported");
        }
    }
}
