package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.imaginefleet.engine.text.ClipTextModel;
import io.imaginefleet.engine.text.ClipTokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Prompt embeddings as diffusers' {@code encode_prompt}: {@code max_length} tokenization, the text encoder's last
 * hidden state; with classifier-free guidance the negative prompts ("" when none) too, and the UNet context is
 * {@code cat([negative, positive])}.
 *
 * @param ids         token ids of the prompts {@code [B][77]}
 * @param negativeIds token ids of the negatives, or null without guidance
 * @param embeds      {@code [B,77,D]} float32
 * @param negative    {@code [B,77,D]} float32, or null without guidance
 * @param context     what the UNet gets as encoder hidden states ({@code [2B,…]} with guidance), in the model dtype
 */
public record EncodedPrompts(long[][] ids, long[][] negativeIds, NDArray embeds, NDArray negative, NDArray context) {

    /** Whether the context carries the unconditional half. */
    public boolean guided() {
        return negative != null;
    }

    public int batch() {
        return ids.length;
    }

    /**
     * Encodes {@code prompts} (and, when {@code guided}, {@code negatives}: null or empty list means "" each)
     * into {@code manager}. {@code clipSkip} 0 = last layer.
     */
    public static EncodedPrompts encode(ModelComponents model, NDManager manager, List<String> prompts,
                                        List<String> negatives, boolean guided, int clipSkip) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompt");
        }
        ClipTokenizer tokenizer = model.tokenizer();
        long[][] ids = tokenize(tokenizer, prompts);
        NDArray embeds = embed(model, manager, ids, clipSkip);
        if (!guided) {
            return new EncodedPrompts(ids, null, embeds, null, model.toModel(embeds));
        }
        List<String> neg = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String n = negatives == null || negatives.isEmpty() ? "" : negatives.get(negatives.size() == 1 ? 0 : i);
            neg.add(n == null ? "" : n);
        }
        if (negatives != null && negatives.size() > 1 && negatives.size() != prompts.size()) {
            throw new IllegalArgumentException("negative prompts: " + negatives.size() + " for " + prompts.size() + " prompts");
        }
        long[][] negIds = tokenize(tokenizer, neg);
        NDArray negative = embed(model, manager, negIds, clipSkip);
        NDArray context = model.toModel(NDArrays.concat(new NDList(negative, embeds), 0));
        return new EncodedPrompts(ids, negIds, embeds, negative, context);
    }

    /** Same embeddings repeated for {@code n} images per prompt (diffusers' {@code num_images_per_prompt}). */
    static long[][] tokenize(ClipTokenizer tokenizer, List<String> prompts) {
        long[][] ids = new long[prompts.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenizer.encode(prompts.get(i) == null ? "" : prompts.get(i));
        }
        return ids;
    }

    static NDArray embed(ModelComponents model, NDManager manager, long[][] ids, int clipSkip) {
        int len = ids[0].length;
        long[] flat = new long[ids.length * len];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(ids[i], 0, flat, i * len, len);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray input = scope.create(flat, new Shape(ids.length, len));
            ClipTextModel.Output out = clipSkip > 0 ? model.textEncoder().encode(input, clipSkip)
                    : model.textEncoder().encode(input);
            NDArray hidden = ModelComponents.toFloat32(out.lastHiddenState());
            hidden.attach(manager);
            return hidden;
        }
    }
}
