package io.imaginefleet.engine.text;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.imaginefleet.engine.EngineOptions;
import io.imaginefleet.engine.io.ModelFormatException;
import io.imaginefleet.engine.io.Weights;
import io.imaginefleet.engine.nn.Attention;
import io.imaginefleet.engine.nn.LayerNorm;
import io.imaginefleet.engine.nn.Linear;
import io.imaginefleet.engine.nn.Params;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * transformers' {@code CLIPTextModel} (the Stable Diffusion text encoder): token + position embeddings, pre-LayerNorm
 * transformer layers with a causal mask ({@code x += attn(ln1(x)); x += fc2(act(fc1(ln2(x))))}), final LayerNorm.
 * The pooled output is the final hidden state at the eos position: {@code argmax(input_ids)} for legacy configs with
 * {@code eos_token_id == 2} (all SD 1.x/2.x configs), otherwise the first occurrence of {@code eos_token_id}
 * (transformers 4.39). No attention mask is used (SD pipelines call {@code text_encoder(input_ids)}).
 *
 * <p><b>Clip skip</b> follows diffusers ({@code clip_skip} of {@code StableDiffusionPipeline}): {@code clipSkip = k}
 * takes the hidden state after layer {@code N - k} ({@code hidden_states[-(k + 1)]}) and applies the final LayerNorm to
 * it. {@code k = 0} is the normal output; diffusers' {@code clip_skip=1} equals A1111's "Clip skip: 2". The pooled
 * output is always the unskipped model's {@code pooler_output}.
 *
 * <p><b>Memory:</b> the weights live in this model's own manager until {@link #close()}. {@link #encode} computes in a
 * child of the input ids' manager, frees every intermediate per layer, and returns arrays attached to the ids'
 * manager (on the model's device). The model is immutable and may be shared by threads.
 */
public final class ClipTextModel implements AutoCloseable {

    private static final String PREFIX = "text_model.";

    /**
     * Encoder outputs, attached to the manager of the input ids.
     *
     * @param lastHiddenState {@code [B, L, D]} (after the final LayerNorm; with clip skip, of the chosen layer)
     * @param pooled          {@code [B, D]} final hidden state at the eos position
     */
    public record Output(NDArray lastHiddenState, NDArray pooled) {
    }

    private record Layer(LayerNorm norm1, Linear q, Linear k, Linear v, Linear out, LayerNorm norm2, Linear fc1, Linear fc2) {
    }

    private final ClipTextConfig config;
    private final EngineOptions options;
    private final NDManager weights;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final List<Layer> layers;
    private final LayerNorm finalNorm;

    private ClipTextModel(ClipTextConfig config, EngineOptions options, NDManager weights, NDArray tokenEmbedding,
                          NDArray positionEmbedding, List<Layer> layers, LayerNorm finalNorm) {
        this.config = config;
        this.options = options;
        this.weights = weights;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.layers = layers;
        this.finalNorm = finalNorm;
    }

    /**
     * Loads {@code config.json} and the safetensors weights of a {@code text_encoder/} folder.
     *
     * @throws ModelFormatException naming the file and tensor when something is missing or mis-shaped
     */
    public static ClipTextModel load(Path textEncoderDir, EngineOptions options) {
        ClipTextConfig config = ClipTextConfig.read(textEncoderDir.resolve("config.json"));
        NDManager manager = NDManager.newBaseManager(options.device());
        try (Weights w = Weights.open(textEncoderDir)) {
            Params p = new Params(w, manager, options);
            long d = config.hiddenSize();
            long inter = config.intermediateSize();
            float eps = config.layerNormEps().floatValue();
            NDArray tokens = p.get(PREFIX + "embeddings.token_embedding.weight", config.vocabSize(), d);
            NDArray positions = p.get(PREFIX + "embeddings.position_embedding.weight", config.maxPositionEmbeddings(), d);
            List<Layer> layers = new ArrayList<>();
            for (int i = 0; i < config.numHiddenLayers(); i++) {
                String l = PREFIX + "encoder.layers." + i + ".";
                layers.add(new Layer(
                        LayerNorm.load(p, l + "layer_norm1", d, eps),
                        Linear.load(p, l + "self_attn.q_proj", d, d),
                        Linear.load(p, l + "self_attn.k_proj", d, d),
                        Linear.load(p, l + "self_attn.v_proj", d, d),
                        Linear.load(p, l + "self_attn.out_proj", d, d),
                        LayerNorm.load(p, l + "layer_norm2", d, eps),
                        Linear.load(p, l + "mlp.fc1", d, inter),
                        Linear.load(p, l + "mlp.fc2", inter, d)));
            }
            LayerNorm finalNorm = LayerNorm.load(p, PREFIX + "final_layer_norm", d, eps);
            return new ClipTextModel(config, options, manager, tokens, positions, List.copyOf(layers), finalNorm);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ClipTextConfig config() {
        return config;
    }

    /** Hidden size D of the outputs. */
    public int hiddenSize() {
        return config.hiddenSize();
    }

    /** {@link #encode(NDArray, int)} without clip skip. */
    public Output encode(NDArray inputIds) {
        return encode(inputIds, 0);
    }

    /**
     * Encodes token ids.
     *
     * @param inputIds {@code [B, L]} INT64 (or INT32) ids, {@code L <= max_position_embeddings} (77)
     * @param clipSkip number of final layers to skip for {@code lastHiddenState} (diffusers convention, 0 = none)
     * @throws IllegalArgumentException on a wrong shape, an id outside the vocabulary or a clip skip out of range
     */
    public Output encode(NDArray inputIds, int clipSkip) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2 || shape.get(0) < 1 || shape.get(1) < 1) {
            throw new IllegalArgumentException("input_ids must have shape [batch, length], got " + shape);
        }
        int batch = (int) shape.get(0);
        int length = (int) shape.get(1);
        if (length > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("input_ids length " + length + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        if (inputIds.getDataType() != DataType.INT64 && inputIds.getDataType() != DataType.INT32) {
            throw new IllegalArgumentException("input_ids must be INT64 or INT32, got " + inputIds.getDataType());
        }
        if (clipSkip < 0 || clipSkip >= config.numHiddenLayers()) {
            throw new IllegalArgumentException("clipSkip must be in [0, " + (config.numHiddenLayers() - 1) + "], got " + clipSkip);
        }
        long[] ids = inputIds.getDataType() == DataType.INT64 ? inputIds.toLongArray()
                : Arrays.stream(inputIds.toIntArray()).asLongStream().toArray();
        for (long id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        NDManager caller = inputIds.getManager();
        try (NDManager scope = caller.newSubManager(options.device())) {
            NDArray idsOnDevice = scope.create(ids, new Shape(batch, length));
            // lookups are results of the weight arrays: move them out of the weights manager at once
            NDArray x = tokenEmbedding.get(idsOnDevice);
            x.attach(scope);
            NDArray pos = positionEmbedding.get(new NDIndex("0:{}", length));
            pos.attach(scope);
            x.addi(pos);
            pos.close();
            NDArray mask = causalMask(scope, length);
            NDArray skipped = null;
            int keepAfter = config.numHiddenLayers() - clipSkip;
            for (int i = 0; i < layers.size(); i++) {
                x = layer(layers.get(i), x, mask, scope);
                if (clipSkip > 0 && i + 1 == keepAfter) {
                    skipped = finalNorm.forward(x);
                }
            }
            NDArray last = finalNorm.forward(x);
            NDArray pooled = pool(last, ids, batch, length);
            NDArray hidden = skipped == null ? last : skipped;
            hidden.attach(caller);
            pooled.attach(caller);
            return new Output(hidden, pooled);
        }
    }

    /** One pre-LN encoder layer; its intermediates live and die in a child scope, the result goes to {@code scope}. */
    private NDArray layer(Layer layer, NDArray x, NDArray mask, NDManager scope) {
        try (NDManager step = scope.newSubManager()) {
            x.attach(step);
            Shape shape = x.getShape();
            long b = shape.get(0);
            long len = shape.get(1);
            long d = shape.get(2);
            int heads = config.numAttentionHeads();
            long hd = config.headDim();
            NDArray h = layer.norm1().forward(x);
            NDArray q = heads(layer.q().forward(h), b, len, heads, hd);
            NDArray k = heads(layer.k().forward(h), b, len, heads, hd);
            NDArray v = heads(layer.v().forward(h), b, len, heads, hd);
            NDArray attn = Attention.scaledDotProduct(q, k, v, mask)
                    .reshape(b, heads, len, hd).transpose(0, 2, 1, 3).reshape(b, len, d);
            NDArray residual = x.add(layer.out().forward(attn));
            NDArray m = layer.fc1().forward(layer.norm2().forward(residual));
            NDArray out = residual.add(layer.fc2().forward(activation(config.hiddenAct(), m)));
            out.attach(scope);
            return out;
        }
    }

    private static NDArray heads(NDArray t, long b, long len, int heads, long hd) {
        return t.reshape(b, len, heads, hd).transpose(0, 2, 1, 3).reshape(b * heads, len, hd);
    }

    /** The MLP activation named by {@code hidden_act}; the result lives in {@code x}'s manager. */
    static NDArray activation(String hiddenAct, NDArray x) {
        return switch (hiddenAct) {
            case "quick_gelu" -> x.mul(Activation.sigmoid(x.mul(1.702f)));
            case "gelu" -> Activation.gelu(x); // torch.nn.functional.gelu, exact erf form
            case "gelu_new", "gelu_pytorch_tanh" -> { // gelu_new / gelu_pytorch_tanh: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
                NDArray inner = x.pow(3).muli(0.044715f).addi(x).muli((float) Math.sqrt(2.0 / Math.PI)).tanh();
                NDArray out = x.mul(inner.addi(1f)).muli(0.5f);
                inner.close();
                yield out;
            }
            default -> throw new IllegalArgumentException("unsupported hidden_act " + hiddenAct);
        };
    }

    /** {@code [1, L, L]}: 0 on and below the diagonal, -inf above (transformers' causal attention mask). */
    private NDArray causalMask(NDManager scope, int length) {
        float[] m = new float[length * length];
        for (int r = 0; r < length; r++) {
            Arrays.fill(m, r * length + r + 1, (r + 1) * length, Float.NEGATIVE_INFINITY);
        }
        NDArray mask = scope.create(m, new Shape(1, length, length));
        return options.dtype() == DataType.FLOAT32 ? mask : mask.toType(options.dtype(), false);
    }

    /** Row b of {@code last} at its eos position (see the class comment). */
    private NDArray pool(NDArray last, long[] ids, int batch, int length) {
        NDList rows = new NDList(batch);
        for (int b = 0; b < batch; b++) {
            int pos = 0;
            if (config.legacyPooling()) {
                for (int t = 1; t < length; t++) {
                    if (ids[b * length + t] > ids[b * length + pos]) {
                        pos = t;
                    }
                }
            } else {
                for (int t = 0; t < length; t++) {
                    if (ids[b * length + t] == config.eosTokenId()) {
                        pos = t;
                        break;
                    }
                }
            }
            rows.add(last.get(b, pos));
        }
        NDArray pooled = NDArrays.stack(rows);
        rows.close();
        return pooled;
    }

    /** The manager that owns the weights (package-private, for leak tests). */
    NDManager weightsManager() {
        return weights;
    }

    /** The device the weights live on. */
    public Device device() {
        return options.device();
    }

    @Override
    public void close() {
        weights.close();
    }
}
