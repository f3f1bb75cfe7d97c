package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.config.Configs;
import io.imaginefleet.engine.io.ModelFormatException;
import io.imaginefleet.engine.scheduler.Scheduler;
import io.imaginefleet.engine.scheduler.Schedulers;
import io.imaginefleet.engine.text.ClipTextModel;
import io.imaginefleet.engine.text.ClipTokenizer;
import io.imaginefleet.engine.unet.UNet2DConditionModel;
import io.imaginefleet.engine.vae.AutoencoderKL;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The parts of one diffusers model folder ({@code tokenizer/}, {@code text_encoder/}, {@code unet/}, {@code vae/},
 * {@code scheduler/}, and for the x4 upscaler {@code low_res_scheduler/}), each loaded on first use and kept until
 * {@link #close()}. Not thread-safe: one generation at a time.
 */
public final class ModelComponents implements AutoCloseable {

    private final Path dir;
    private final EngineOptions options;
    private ClipTokenizer tokenizer;
    private ClipTextModel textEncoder;
    private UNet2DConditionModel unet;
    private AutoencoderKL vae;

    private ModelComponents(Path dir, EngineOptions options) {
        this.dir = dir;
        this.options = options;
    }

    /** A lazily loading view of {@code modelDir}; fails at once if it is not a diffusers folder. */
    public static ModelComponents open(Path modelDir, EngineOptions options) {
        if (!Files.isDirectory(modelDir)) {
            throw new ModelFormatException("model folder " + modelDir + " does not exist");
        }
        if (!Files.isRegularFile(modelDir.resolve("model_index.json")) && !Files.isDirectory(modelDir.resolve("unet"))) {
            throw new ModelFormatException(modelDir + " is not a diffusers model folder (no model_index.json, no unet/)");
        }
        return new ModelComponents(modelDir, options);
    }

    public Path dir() {
        return dir;
    }

    public EngineOptions options() {
        return options;
    }

    public ClipTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = ClipTokenizer.load(dir.resolve("tokenizer"));
        }
        return tokenizer;
    }

    public ClipTextModel textEncoder() {
        if (textEncoder == null) {
            textEncoder = ClipTextModel.load(dir.resolve("text_encoder"), options);
        }
        return textEncoder;
    }

    public UNet2DConditionModel unet() {
        if (unet == null) {
            unet = UNet2DConditionModel.load(dir.resolve("unet"), options);
        }
        return unet;
    }

    public AutoencoderKL vae() {
        if (vae == null) {
            vae = AutoencoderKL.load(dir.resolve("vae"), options);
        }
        return vae;
    }

    /** {@code scheduler/scheduler_config.json}. */
    public Path schedulerConfig() {
        return dir.resolve("scheduler").resolve("scheduler_config.json");
    }

    /** A fresh instance of the model's own scheduler. */
    public Scheduler newScheduler() {
        return Schedulers.fromConfig(schedulerConfig());
    }

    /** A fresh scheduler by CLI/job name ({@code ddim|pndm|…}), or the model's own for null/"default". */
    public Scheduler newScheduler(String name) {
        if (name == null || name.isBlank() || name.equals("default")) {
            return newScheduler();
        }
        return Schedulers.create(name, schedulerConfig());
    }

    /** The x4 upscaler's noise-augmentation scheduler ({@code low_res_scheduler/}). */
    public Scheduler newLowResScheduler() {
        Path cfg = dir.resolve("low_res_scheduler").resolve("scheduler_config.json");
        if (!Files.isRegularFile(cfg)) {
            throw new ModelFormatException("upscaler model " + dir + " has no low_res_scheduler/scheduler_config.json");
        }
        return Schedulers.fromConfig(cfg);
    }

    /** {@code max_noise_level} of an upscaler's model_index.json (350 when absent). */
    public int maxNoiseLevel() {
        Path index = dir.resolve("model_index.json");
        if (Files.isRegularFile(index)) {
            JsonNode n = Configs.readTree(index).get("max_noise_level");
            if (n != null && n.isNumber()) {
                return n.asInt();
            }
        }
        return 350;
    }

    /** Casts an activation to the compute dtype of the models (fp16 on CUDA). */
    NDArray toModel(NDArray x) {
        return x.getDataType() == options.dtype() || !x.getDataType().isFloating() ? x : x.toType(options.dtype(), false);
    }

    /** Casts a model output back to float32 for scheduler math. */
    static NDArray toFloat32(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
    }

    @Override
    public void close() {
        if (unet != null) {
            unet.close();
        }
        if (vae != null) {
            vae.close();
        }
        if (textEncoder != null) {
            textEncoder.close();
        }
        unet = null;
        vae = null;
        textEncoder = null;
    }
}
