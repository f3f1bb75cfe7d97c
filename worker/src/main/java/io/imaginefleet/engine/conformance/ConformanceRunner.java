package io.imaginefleet.engine.conformance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.imaginefleet.engine.EngineOptions;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.imaginefleet.engine.io.Npy;
import io.imaginefleet.engine.pipeline.Denoiser;
import io.imaginefleet.engine.pipeline.Denoising;
import io.imaginefleet.engine.pipeline.EncodedPrompts;
import io.imaginefleet.engine.pipeline.ImageInput;
import io.imaginefleet.engine.pipeline.Img2ImgPipeline;
import io.imaginefleet.engine.pipeline.InpaintPipeline;
import io.imaginefleet.engine.pipeline.LegacyInpaintPipeline;
import io.imaginefleet.engine.pipeline.ModelComponents;
import io.imaginefleet.engine.pipeline.PipelineOutput;
import io.imaginefleet.engine.pipeline.ProgressListener;
import io.imaginefleet.engine.pipeline.Txt2ImgPipeline;
import io.imaginefleet.engine.pipeline.UpscalePipeline;
import io.imaginefleet.engine.scheduler.Scheduler;
import io.imaginefleet.engine.scheduler.Schedulers;
import io.imaginefleet.engine.text.ClipTextModel;
import io.imaginefleet.engine.text.ClipTokenizer;
import io.imaginefleet.engine.unet.UNet2DConditionModel;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Runs a golden fixture set (a folder with {@code manifest.json} in the sd-tiny format) through the engine and
 * compares every output: token ids and timesteps exactly, tensors by relative L2 ({@link #TENSOR_TOL}), pipeline
 * images by max-abs ({@link #IMAGE_TOL}), PNGs within one grey level. Models are those the manifest names, loaded
 * once each; nothing about a particular set is assumed (other sizes, SD2-style configs, v-prediction work the same).
 */
public final class ConformanceRunner implements AutoCloseable {

    /** Relative L2 tolerance of every tensor. */
    public static final double TENSOR_TOL = 1e-4;
    /** Max-abs tolerance of pipeline images in [0,1]. */
    public static final double IMAGE_TOL = 2e-3;
    /** Relative tolerance of sigma schedules and init_noise_sigma (float32 rounding of float64 math). */
    public static final double SIGMA_TOL = 1e-5;

    /** Case kinds this runner knows. */
    public static final Set<String> KINDS = Set.of("tokenizer", "text_encoder", "unet", "vae_decode", "vae_encode",
            "scheduler", "txt2img", "img2img", "inpaint", "inpaint_4ch", "inpaint_legacy", "upscale");

    private final Path dir;
    private final JsonNode manifest;
    private final EngineOptions options;
    private final Map<String, ModelComponents> models = new LinkedHashMap<>();

    public ConformanceRunner(Path dir, EngineOptions options) {
        this.dir = dir;
        Path file = dir.resolve("manifest.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no manifest.json in " + dir);
        }
        try {
            // Python's json writes -Infinity / NaN (e.g. unused log-sigmas); accept them
            this.manifest = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
        this.options = options;
    }

    /** All cases of the manifest, in order. */
    public List<JsonNode> cases() {
        List<JsonNode> out = new ArrayList<>();
        manifest.path("cases").forEach(out::add);
        return out;
    }

    /** Ids of the cases of one kind. */
    public List<String> caseIds(String kind) {
        return cases().stream().filter(c -> kind.equals(c.path("kind").asText())).map(c -> c.path("id").asText()).toList();
    }

    /** The case with this id. */
    public JsonNode caseById(String id) {
        return cases().stream().filter(c -> id.equals(c.path("id").asText())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no case " + id));
    }

    /** Summary of a full run. */
    public record Summary(int passed, int failed, int skipped, Map<String, Integer> skippedKinds) {
        public String line() {
            return passed + " passed, " + failed + " failed, " + skipped + " skipped";
        }
    }

    /** Runs every case whose kind passes {@code filter} and is known, printing one line per case to {@code out}. */
    public Summary runAll(Predicate<String> filter, PrintStream out) {
        int passed = 0;
        int failed = 0;
        Map<String, Integer> skipped = new TreeMap<>();
        for (JsonNode c : cases()) {
            String kind = c.path("kind").asText();
            if (!KINDS.contains(kind) || !filter.test(kind)) {
                skipped.merge(kind, 1, Integer::sum);
                continue;
            }
            CaseResult r = run(c);
            out.println(r.line());
            out.flush();
            if (r.passed()) {
                passed++;
            } else {
                failed++;
            }
        }
        int nSkipped = skipped.values().stream().mapToInt(Integer::intValue).sum();
        if (!skipped.isEmpty()) {
            out.println("skipped kinds: " + skipped);
        }
        Summary s = new Summary(passed, failed, nSkipped, skipped);
        out.println(s.line());
        return s;
    }

    /** Runs one case. Never throws for a failing engine: errors become a failed result. */
    public CaseResult run(JsonNode c) {
        String kind = c.path("kind").asText();
        CaseResult r = new CaseResult(c.path("id").asText(), kind);
        try (NDManager m = NDManager.newBaseManager(options.device())) {
            switch (kind) {
                case "tokenizer" -> tokenizer(c, r);
                case "text_encoder" -> textEncoder(c, r, m);
                case "unet" -> unet(c, r, m);
                case "vae_decode" -> vaeDecode(c, r, m);
                case "vae_encode" -> vaeEncode(c, r, m);
                case "scheduler" -> scheduler(c, r, m);
                case "txt2img", "img2img", "inpaint", "inpaint_4ch", "inpaint_legacy", "upscale" -> pipeline(c, r, m);
                default -> r.fail("unsupported kind " + kind);
            }
        } catch (Exception | LinkageError e) {
            r.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return r;
    }

    // ---- components -------------------------------------------------------------------------------------------

    private ModelComponents model(JsonNode c) {
        String name = c.path("model").asText();
        return models.computeIfAbsent(name, n -> {
            JsonNode spec = manifest.path("models").path(n);
            Path path = spec.has("path") ? dir.resolve(spec.get("path").asText()) : dir.resolve("models").resolve(n);
            return ModelComponents.open(path, options);
        });
    }

    private void tokenizer(JsonNode c, CaseResult r) {
        ClipTokenizer tok = model(c).tokenizer();
        List<String> prompts = strings(c.path("inputs").path("prompts"));
        JsonNode outputs = c.path("outputs");
        if (outputs.has("input_ids")) {
            long[] ids = Npy.readLongs(file(outputs.get("input_ids")));
            int len = ids.length / prompts.size();
            int ok = 0;
            String first = null;
            for (int i = 0; i < prompts.size(); i++) {
                long[] got = tok.encode(prompts.get(i));
                long[] want = Arrays.copyOfRange(ids, i * len, (i + 1) * len);
                if (Arrays.equals(got, want)) {
                    ok++;
                } else if (first == null) {
                    first = "prompt " + i + " " + quote(prompts.get(i)) + ": got " + Arrays.toString(got) + " want " + Arrays.toString(want);
                }
            }
            r.exact("input_ids", ok == prompts.size(), ok + "/" + prompts.size() + " exact" + (first == null ? "" : "; " + first));
        }
        if (outputs.has("untruncated_ids")) {
            int ok = 0;
            String first = null;
            for (int i = 0; i < prompts.size(); i++) {
                long[] want = longs(outputs.get("untruncated_ids").get(i));
                long[] got = tok.encodeUntruncated(prompts.get(i));
                if (Arrays.equals(got, want)) {
                    ok++;
                } else if (first == null) {
                    first = "prompt " + i + " " + quote(prompts.get(i));
                }
            }
            r.exact("untruncated_ids", ok == prompts.size(), ok + "/" + prompts.size() + " exact" + (first == null ? "" : "; first mismatch " + first));
        }
        if (outputs.has("tokens")) {
            int ok = 0;
            String first = null;
            for (int i = 0; i < prompts.size(); i++) {
                List<String> want = strings(outputs.get("tokens").get(i));
                List<String> got = tok.bpeTokens(prompts.get(i));
                if (got.equals(want)) {
                    ok++;
                } else if (first == null) {
                    first = "prompt " + i + " " + quote(prompts.get(i)) + ": got " + got + " want " + want;
                }
            }
            r.exact("tokens", ok == prompts.size(), ok + "/" + prompts.size() + " exact" + (first == null ? "" : "; " + first));
        }
    }

    private void textEncoder(JsonNode c, CaseResult r, NDManager m) {
        ModelComponents model = model(c);
        JsonNode in = c.path("inputs");
        NDArray ids = Npy.read(m, file(in.get("input_ids")));
        if (in.has("prompts")) {
            List<String> prompts = strings(in.get("prompts"));
            long[] want = ids.toLongArray();
            int len = want.length / prompts.size();
            int ok = 0;
            for (int i = 0; i < prompts.size(); i++) {
                if (Arrays.equals(model.tokenizer().encode(prompts.get(i)), Arrays.copyOfRange(want, i * len, (i + 1) * len))) {
                    ok++;
                }
            }
            r.exact("input_ids", ok == prompts.size(), ok + "/" + prompts.size() + " prompts tokenize to the ids");
        }
        ClipTextModel.Output out = model.textEncoder().encode(ids);
        JsonNode o = c.path("outputs");
        compare(r, "last_hidden_state", out.lastHiddenState(), o.get("last_hidden_state"));
        if (o.has("pooler_output")) {
            compare(r, "pooler_output", out.pooled(), o.get("pooler_output"));
        }
    }

    private void unet(JsonNode c, CaseResult r, NDManager m) {
        UNet2DConditionModel unet = model(c).unet();
        JsonNode in = c.path("inputs");
        NDArray sample = Npy.read(m, file(in.get("sample")));
        long batch = sample.getShape().get(0);
        NDArray t;
        JsonNode ts = in.get("timestep");
        if (ts.isNumber()) {
            t = m.full(new Shape(batch), (float) ts.asDouble());
        } else {
            t = Npy.read(m, file(ts)).toType(DataType.FLOAT32, false);
            if (t.getShape().size() == 1 && batch > 1) {
                t = t.reshape(1).repeat(0, batch);
            }
        }
        NDArray ehs = Npy.read(m, file(in.get("encoder_hidden_states")));
        NDArray labels = in.has("class_labels") ? classLabels(m, in.get("class_labels"), batch) : null;
        ModelComponents model = model(c);
        NDArray out = unet.forward(toModel(model, sample), t, toModel(model, ehs), labels);
        compare(r, "sample", out, c.path("outputs").get("sample"));
    }

    private NDArray classLabels(NDManager m, JsonNode spec, long batch) {
        if (spec.isNumber()) {
            return m.full(new Shape(batch), (float) spec.asLong()).toType(DataType.INT64, false);
        }
        return Npy.read(m, file(spec)).toType(DataType.INT64, false);
    }

    private void vaeDecode(JsonNode c, CaseResult r, NDManager m) {
        ModelComponents model = model(c);
        NDArray z = Npy.read(m, file(c.path("inputs").get("z")));
        compare(r, "sample", model.vae().decode(toModel(model, z)), c.path("outputs").get("sample"));
    }

    private void vaeEncode(JsonNode c, CaseResult r, NDManager m) {
        ModelComponents model = model(c);
        NDArray x = Npy.read(m, file(c.path("inputs").get("x")));
        NDArray[] moments = model.vae().encodeMoments(toModel(model, x));
        JsonNode o = c.path("outputs");
        compare(r, "mean", moments[0], o.get("mean"));
        if (o.has("logvar")) {
            compare(r, "logvar", moments[1], o.get("logvar"));
        }
    }

    private static NDArray toModel(ModelComponents model, NDArray x) {
        return x.getDataType() == model.options().dtype() ? x : x.toType(model.options().dtype(), false);
    }

    // ---- schedulers -------------------------------------------------------------------------------------------

    private void scheduler(JsonNode c, CaseResult r, NDManager m) {
        Scheduler s = Schedulers.fromConfig(c.get("scheduler_config"));
        int n = c.path("num_inference_steps").asInt(c.path("params").path("num_inference_steps").asInt());
        s.setTimesteps(n);
        JsonNode o = c.path("outputs");
        JsonNode in = c.path("inputs");
        float[] timesteps = s.timesteps();
        exactFloats(r, "timesteps", timesteps, floatsAny(file(o.get("timesteps"))));
        if (o.has("sigmas") && !o.get("sigmas").isNull()) {
            float[] want = floatsAny(file(o.get("sigmas")));
            float[] got = s.sigmas();
            if (got == null || got.length != want.length) {
                r.exact("sigmas", false, "got " + (got == null ? "none" : got.length + " values") + ", want " + want.length);
            } else {
                r.relativeMax(Diff.of("sigmas", got, want), SIGMA_TOL);
            }
        }
        if (o.has("init_noise_sigma")) {
            double want = o.get("init_noise_sigma").asDouble();
            double got = s.initNoiseSigma();
            r.exact("init_noise_sigma", Math.abs(got - want) <= SIGMA_TOL * Math.max(1, Math.abs(want)), got + " vs " + want);
        }
        if (o.has("order")) {
            r.exact("order", s.order() == o.get("order").asInt(), s.order() + " vs " + o.get("order").asInt());
        }
        NDArray sample0 = Npy.read(m, file(in.get("sample0")));
        NDArray modelOutputs = Npy.read(m, file(in.get("model_outputs")));
        NDArray stepNoise = in.has("step_noise") ? Npy.read(m, file(in.get("step_noise"))) : null;
        int[] current = {0};
        Scheduler.NoiseSource noise = like -> stepNoise != null ? stepNoise.get(current[0]).duplicate() : like.zerosLike();
        NDArray sample = sample0.mul(s.initNoiseSigma());
        int steps = Math.min(timesteps.length, (int) modelOutputs.getShape().get(0));
        float[][] scaled = new float[steps][];
        float[][] prev = new float[steps][];
        for (int i = 0; i < steps; i++) {
            current[0] = i;
            scaled[i] = s.scaleModelInput(sample, i).toFloatArray();
            sample = s.step(modelOutputs.get(i), i, sample, noise);
            prev[i] = sample.toFloatArray();
        }
        if (o.has("scaled_model_inputs")) {
            r.tensor(worst("scaled_model_inputs", scaled, Npy.readFloats(file(o.get("scaled_model_inputs")))), TENSOR_TOL);
        }
        if (o.has("prev_samples")) {
            r.tensor(worst("prev_samples", prev, Npy.readFloats(file(o.get("prev_samples")))), TENSOR_TOL);
        }
    }

    // ---- pipelines --------------------------------------------------------------------------------------------

    private void pipeline(JsonNode c, CaseResult r, NDManager m) throws IOException {
        String kind = c.path("kind").asText();
        ModelComponents model = model(c);
        JsonNode p = c.path("params");
        JsonNode in = c.path("inputs");
        JsonNode o = c.path("outputs");
        double guidance = p.path("guidance_scale").asDouble(7.5);
        int steps = p.path("num_inference_steps").asInt();
        List<String> prompts = strings(p.get("prompt"));
        List<String> negatives = p.hasNonNull("negative_prompt") ? strings(p.get("negative_prompt")) : null;
        EncodedPrompts enc = EncodedPrompts.encode(model, m, prompts, negatives, guidance > 1.0, p.path("clip_skip").asInt(0));
        checkPrompts(r, enc, o);

        Scheduler scheduler = Schedulers.fromConfig(c.get("scheduler_config"));
        NDArray stepNoiseAll = in.has("step_noise") ? Npy.read(m, file(in.get("step_noise"))) : null;
        int[] draws = {0};
        Scheduler.NoiseSource stepNoise = like -> stepNoiseAll != null && draws[0] < stepNoiseAll.getShape().get(0)
                ? stepNoiseAll.get(draws[0]++).duplicate() : like.zerosLike();
        List<float[]> perStep = new ArrayList<>();
        Denoiser.Observer observer = (i, latents) -> perStep.add(latents.toFloatArray());
        Denoising d = new Denoising(scheduler, steps, guidance, stepNoise, observer, ProgressListener.NONE);
        double strength = p.path("strength").asDouble(1.0);

        PipelineOutput out = switch (kind) {
            case "txt2img" -> Txt2ImgPipeline.run(model, enc, d, Npy.read(m, file(in.get("latents"))), m);
            case "img2img" -> Img2ImgPipeline.run(model, enc, d, image(r, m, in), strength,
                    Npy.read(m, file(in.get("noise"))), m);
            case "inpaint", "inpaint_4ch" -> InpaintPipeline.run(model, enc, d, image(r, m, in),
                    Npy.read(m, file(in.get("mask"))), strength, noiseOrLatents(m, in), m);
            case "inpaint_legacy" -> LegacyInpaintPipeline.run(model, enc, d, image(r, m, in),
                    Npy.read(m, file(in.get("mask"))), strength, noiseOrLatents(m, in), m);
            case "upscale" -> UpscalePipeline.run(model, enc, d, image(r, m, in), p.path("noise_level").asInt(20),
                    Npy.read(m, file(in.get("lowres_noise"))), Npy.read(m, file(in.get("latents"))), m);
            default -> throw new IllegalArgumentException("unsupported pipeline kind " + kind);
        };

        if (o.has("timesteps_used")) {
            float[] all = scheduler.timesteps();
            JsonNode want = o.get("timesteps_used");
            float[] used = Arrays.copyOfRange(all, Math.max(0, all.length - perStep.size()), all.length);
            float[] w = new float[want.size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) want.get(i).asDouble();
            }
            exactFloats(r, "timesteps_used", used, w);
        }
        if (o.has("latents_per_step")) {
            r.tensor(worst("latents_per_step", perStep.toArray(new float[0][]), Npy.readFloats(file(o.get("latents_per_step")))), TENSOR_TOL);
        }
        compare(r, "final_latents", out.finalLatents(), o.get("final_latents"));
        compare(r, "vae_decode_input", out.decodeInput(), o.get("vae_decode_input"));
        if (o.has("image")) {
            float[] want = Npy.readFloats(file(o.get("image")));
            r.absolute(Diff.of("image", out.image().toFloatArray(), want), IMAGE_TOL);
        }
        if (o.has("png")) {
            for (int b = 0; b < o.get("png").size(); b++) {
                BufferedImage want = ImageIO.read(file(o.get("png").get(b)).toFile());
                BufferedImage got = ImageInput.fromTensor01(out.image().get(b));
                int diff = maxChannelDiff(got, want);
                r.exact("png_" + b, diff <= 1, "max grey-level difference " + diff);
            }
        }
    }

    private NDArray noiseOrLatents(NDManager m, JsonNode in) {
        return Npy.read(m, file(in.has("noise") ? in.get("noise") : in.get("latents")));
    }

    /** The input picture in [-1,1] from {@code image01.npy}; when a PNG is given, checks our PNG reading matches it. */
    private NDArray image(CaseResult r, NDManager m, JsonNode in) {
        NDArray x01 = Npy.read(m, file(in.get("image")));
        if (in.has("image_png")) {
            BufferedImage png = ImageInput.read(file(in.get("image_png")), ImageInput.DEFAULT_MAX_PIXELS);
            float[] got = ImageInput.toTensor01(m, png).toFloatArray();
            Diff d = Diff.of("input_png", got, x01.toFloatArray());
            r.exact("input_png", d.maxAbs() <= 1e-6, "ImageInput of the PNG vs image01: max|Δ| " + Diff.fmt(d.maxAbs()));
        }
        return x01.mul(2f).sub(1f);
    }

    private void checkPrompts(CaseResult r, EncodedPrompts enc, JsonNode o) {
        if (o.has("prompt_input_ids")) {
            r.exact("prompt_input_ids", Arrays.equals(flat(enc.ids()), Npy.readLongs(file(o.get("prompt_input_ids")))), "token ids");
        }
        if (o.has("negative_input_ids") && enc.negativeIds() != null) {
            r.exact("negative_input_ids", Arrays.equals(flat(enc.negativeIds()), Npy.readLongs(file(o.get("negative_input_ids")))), "token ids");
        }
        if (o.has("prompt_embeds")) {
            compare(r, "prompt_embeds", enc.embeds(), o.get("prompt_embeds"));
        }
        if (o.has("negative_prompt_embeds") && enc.negative() != null) {
            compare(r, "negative_prompt_embeds", enc.negative(), o.get("negative_prompt_embeds"));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private void compare(CaseResult r, String name, NDArray actual, JsonNode spec) {
        if (spec == null || spec.isNull()) {
            return;
        }
        long[] wantShape = Npy.shape(file(spec));
        long[] gotShape = actual.getShape().getShape();
        if (!Arrays.equals(wantShape, gotShape)) {
            r.exact(name, false, "shape " + Arrays.toString(gotShape) + ", reference " + Arrays.toString(wantShape));
            return;
        }
        float[] got = actual.getDataType() == DataType.FLOAT32 ? actual.toFloatArray()
                : actual.toType(DataType.FLOAT32, false).toFloatArray();
        r.tensor(Diff.of(name, got, Npy.readFloats(file(spec))), TENSOR_TOL);
    }

    /** Worst per-step figure of stacked arrays. */
    private static Diff worst(String name, float[][] got, float[] want) {
        int steps = got.length;
        if (steps == 0 || (long) steps * got[0].length != want.length) {
            return new Diff(name + " (" + steps + " steps vs reference of " + want.length + " values)",
                    Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);
        }
        int per = got[0].length;
        Diff worst = null;
        for (int i = 0; i < steps; i++) {
            Diff d = Diff.of(name + "[" + i + "]", got[i], Arrays.copyOfRange(want, i * per, (i + 1) * per));
            if (worst == null || !(d.relL2() <= worst.relL2())) {
                worst = d;
            }
        }
        return worst;
    }

    private static void exactFloats(CaseResult r, String name, float[] got, float[] want) {
        r.exact(name, Arrays.equals(got, want), Arrays.equals(got, want) ? want.length + " exact"
                : "got " + Arrays.toString(got) + " want " + Arrays.toString(want));
    }

    private static int maxChannelDiff(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return 256;
        }
        int max = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int sh = 0; sh <= 16; sh += 8) {
                    max = Math.max(max, Math.abs(((p >> sh) & 0xFF) - ((q >> sh) & 0xFF)));
                }
            }
        }
        return max;
    }

    /** float32 or int64 arrays as floats (timesteps are int64 for most schedulers). */
    private static float[] floatsAny(Path file) {
        if (Npy.parse(file).descr().contains("i8")) {
            long[] l = Npy.readLongs(file);
            float[] f = new float[l.length];
            for (int i = 0; i < l.length; i++) {
                f[i] = l[i];
            }
            return f;
        }
        return Npy.readFloats(file);
    }

    private Path file(JsonNode spec) {
        return dir.resolve(spec.get("file").asText());
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isArray()) {
            n.forEach(e -> out.add(e.isNull() ? null : e.asText()));
        } else {
            out.add(n.asText());
        }
        return out;
    }

    private static long[] longs(JsonNode n) {
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asLong();
        }
        return out;
    }

    private static long[] flat(long[][] a) {
        return Arrays.stream(a).flatMapToLong(Arrays::stream).toArray();
    }

    private static String quote(String s) {
        return '"' + s.replace("\n", "\\n").replace("\t", "\\t") + '"';
    }

    @Override
    public void close() {
        models.values().forEach(ModelComponents::close);
        models.clear();
    }
}
