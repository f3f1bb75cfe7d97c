package io.imaginefleet.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter names and shapes of diffusers / transformers components, derived from their {@code config.json} exactly
 * as the PyTorch modules would be built ({@code UNet2DConditionModel}, {@code AutoencoderKL}, {@code CLIPTextModel}).
 * Used by {@code sd init-random}; checked against the golden fixtures' safetensors headers.
 */
public final class ModelShapes {

    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    private ModelShapes() {
    }

    // ---- CLIPTextModel ----------------------------------------------------------------------------------------

    /** {@code text_encoder/config.json} → parameters. */
    public static Map<String, long[]> clipText(JsonNode c) {
        ModelShapes s = new ModelShapes();
        long h = c.path("hidden_size").asLong(512);
        long inter = c.path("intermediate_size").asLong(2048);
        long vocab = c.path("vocab_size").asLong(49408);
        long pos = c.path("max_position_embeddings").asLong(77);
        int layers = c.path("num_hidden_layers").asInt(12);
        String p = "text_model.";
        s.put(p + "embeddings.token_embedding.weight", vocab, h);
        s.put(p + "embeddings.position_embedding.weight", pos, h);
        for (int i = 0; i < layers; i++) {
            String l = p + "encoder.layers." + i + ".";
            for (String proj : new String[]{"q_proj", "k_proj", "v_proj", "out_proj"}) {
                s.linear(l + "self_attn." + proj, h, h, true);
            }
            s.norm(l + "layer_norm1", h);
            s.linear(l + "mlp.fc1", h, inter, true);
            s.linear(l + "mlp.fc2", inter, h, true);
            s.norm(l + "layer_norm2", h);
        }
        s.norm(p + "final_layer_norm", h);
        return s.shapes;
    }

    // ---- AutoencoderKL ----------------------------------------------------------------------------------------

    /** {@code vae/config.json} → parameters. */
    public static Map<String, long[]> vae(JsonNode c) {
        ModelShapes s = new ModelShapes();
        long[] blocks = longs(c.path("block_out_channels"));
        int layers = c.path("layers_per_block").asInt(1);
        long latent = c.path("latent_channels").asLong(4);
        long in = c.path("in_channels").asLong(3);
        long out = c.path("out_channels").asLong(3);
        int n = blocks.length;
        s.conv("encoder.conv_in", in, blocks[0], 3);
        long output = blocks[0];
        for (int i = 0; i < n; i++) {
            long input = output;
            output = blocks[i];
            for (int j = 0; j < layers; j++) {
                s.resnet("encoder.down_blocks." + i + ".resnets." + j, j == 0 ? input : output, output, 0);
            }
            if (i < n - 1) {
                s.conv("encoder.down_blocks." + i + ".downsamplers.0.conv", output, output, 3);
            }
        }
        s.vaeMid("encoder.mid_block", blocks[n - 1]);
        s.norm("encoder.conv_norm_out", blocks[n - 1]);
        s.conv("encoder.conv_out", blocks[n - 1], 2 * latent, 3);
        s.conv("quant_conv", 2 * latent, 2 * latent, 1);
        s.conv("post_quant_conv", latent, latent, 1);
        s.conv("decoder.conv_in", latent, blocks[n - 1], 3);
        s.vaeMid("decoder.mid_block", blocks[n - 1]);
        long[] rev = reversed(blocks);
        output = rev[0];
        for (int i = 0; i < n; i++) {
            long prev = output;
            output = rev[i];
            for (int j = 0; j < layers + 1; j++) {
                s.resnet("decoder.up_blocks." + i + ".resnets." + j, j == 0 ? prev : output, output, 0);
            }
            if (i < n - 1) {
                s.conv("decoder.up_blocks." + i + ".upsamplers.0.conv", output, output, 3);
            }
        }
        s.norm("decoder.conv_norm_out", blocks[0]);
        s.conv("decoder.conv_out", blocks[0], out, 3);
        return s.shapes;
    }

    private void vaeMid(String p, long ch) {
        resnet(p + ".resnets.0", ch, ch, 0);
        norm(p + ".attentions.0.group_norm", ch);
        for (String q : new String[]{"to_q", "to_k", "to_v", "to_out.0"}) {
            linear(p + ".attentions.0." + q, ch, ch, true);
        }
        resnet(p + ".resnets.1", ch, ch, 0);
    }

    // ---- UNet2DConditionModel ---------------------------------------------------------------------------------

    /** {@code unet/config.json} → parameters (SD 1.x/2.x, inpainting and x4-upscaler configurations). */
    public static Map<String, long[]> unet(JsonNode c) {
        ModelShapes s = new ModelShapes();
        long[] blocks = longs(c.path("block_out_channels"));
        int n = blocks.length;
        int layers = c.path("layers_per_block").asInt(2);
        long inCh = c.path("in_channels").asLong(4);
        long outCh = c.path("out_channels").asLong(4);
        long cross = c.path("cross_attention_dim").asLong(1280);
        boolean linearProj = c.path("use_linear_projection").asBoolean(false);
        boolean[] onlyCross = perBlockBool(c.path("only_cross_attention"), n);
        List<String> down = strings(c.path("down_block_types"));
        List<String> up = strings(c.path("up_block_types"));
        long temb = blocks[0] * 4;
        s.conv("conv_in", inCh, blocks[0], c.path("conv_in_kernel").asInt(3));
        s.linear("time_embedding.linear_1", blocks[0], temb, true);
        s.linear("time_embedding.linear_2", temb, temb, true);
        if (c.hasNonNull("num_class_embeds") && c.path("class_embed_type").isNull()) {
            s.put("class_embedding.weight", c.get("num_class_embeds").asLong(), temb);
        }
        long output = blocks[0];
        for (int i = 0; i < n; i++) {
            long input = output;
            output = blocks[i];
            String p = "down_blocks." + i;
            boolean attn = down.get(i).startsWith("CrossAttn");
            for (int j = 0; j < layers; j++) {
                s.resnet(p + ".resnets." + j, j == 0 ? input : output, output, temb);
                if (attn) {
                    s.transformer(p + ".attentions." + j, output, cross, linearProj, onlyCross[i]);
                }
            }
            if (i < n - 1) {
                s.conv(p + ".downsamplers.0.conv", output, output, 3);
            }
        }
        long mid = blocks[n - 1];
        s.resnet("mid_block.resnets.0", mid, mid, temb);
        s.transformer("mid_block.attentions.0", mid, cross, linearProj, false); // UNetMidBlock2DCrossAttn: self-attention
        s.resnet("mid_block.resnets.1", mid, mid, temb);
        long[] rev = reversed(blocks);
        boolean[] revCross = new boolean[n];
        for (int i = 0; i < n; i++) {
            revCross[i] = onlyCross[n - 1 - i];
        }
        output = rev[0];
        for (int i = 0; i < n; i++) {
            long prev = output;
            output = rev[i];
            long input = rev[Math.min(i + 1, n - 1)];
            String p = "up_blocks." + i;
            boolean attn = up.get(i).startsWith("CrossAttn");
            int num = layers + 1;
            for (int j = 0; j < num; j++) {
                long skip = j == num - 1 ? input : output;
                long resIn = j == 0 ? prev : output;
                s.resnet(p + ".resnets." + j, resIn + skip, output, temb);
                if (attn) {
                    s.transformer(p + ".attentions." + j, output, cross, linearProj, revCross[i]);
                }
            }
            if (i < n - 1) {
                s.conv(p + ".upsamplers.0.conv", output, output, 3);
            }
        }
        s.norm("conv_norm_out", blocks[0]);
        s.conv("conv_out", blocks[0], outCh, c.path("conv_out_kernel").asInt(3));
        return s.shapes;
    }

    private void transformer(String p, long ch, long cross, boolean linearProj, boolean onlyCross) {
        norm(p + ".norm", ch);
        if (linearProj) {
            linear(p + ".proj_in", ch, ch, true);
        } else {
            conv(p + ".proj_in", ch, ch, 1);
        }
        String b = p + ".transformer_blocks.0.";
        norm(b + "norm1", ch);
        attention(b + "attn1", ch, onlyCross ? cross : ch);
        norm(b + "norm2", ch);
        attention(b + "attn2", ch, cross);
        norm(b + "norm3", ch);
        linear(b + "ff.net.0.proj", ch, ch * 8, true);
        linear(b + "ff.net.2", ch * 4, ch, true);
        if (linearProj) {
            linear(p + ".proj_out", ch, ch, true);
        } else {
            conv(p + ".proj_out", ch, ch, 1);
        }
    }

    private void attention(String p, long query, long context) {
        linear(p + ".to_q", query, query, false);
        linear(p + ".to_k", context, query, false);
        linear(p + ".to_v", context, query, false);
        linear(p + ".to_out.0", query, query, true);
    }

    private void resnet(String p, long in, long out, long temb) {
        norm(p + ".norm1", in);
        conv(p + ".conv1", in, out, 3);
        if (temb > 0) {
            linear(p + ".time_emb_proj", temb, out, true);
        }
        norm(p + ".norm2", out);
        conv(p + ".conv2", out, out, 3);
        if (in != out) {
            conv(p + ".conv_shortcut", in, out, 1);
        }
    }

    // ---- primitives -------------------------------------------------------------------------------------------

    private void put(String name, long... shape) {
        if (shapes.put(name, shape) != null) {
            throw new IllegalStateException("duplicate parameter " + name);
        }
    }

    private void linear(String p, long in, long out, boolean bias) {
        put(p + ".weight", out, in);
        if (bias) {
            put(p + ".bias", out);
        }
    }

    private void conv(String p, long in, long out, int k) {
        put(p + ".weight", out, in, k, k);
        put(p + ".bias", out);
    }

    private void norm(String p, long ch) {
        put(p + ".weight", ch);
        put(p + ".bias", ch);
    }

    private static long[] longs(JsonNode n) {
        long[] out = new long[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asLong();
        }
        return out;
    }

    private static long[] reversed(long[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[a.length - 1 - i];
        }
        return r;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(e -> out.add(e.asText()));
        return out;
    }

    private static boolean[] perBlockBool(JsonNode n, int blocks) {
        boolean[] out = new boolean[blocks];
        for (int i = 0; i < blocks; i++) {
            out[i] = n.isArray() ? n.get(i).asBoolean() : n.asBoolean(false);
        }
        return out;
    }

    /** Total number of parameters. */
    public static long count(Map<String, long[]> shapes) {
        long total = 0;
        for (long[] s : shapes.values()) {
            long n = 1;
            for (long d : s) {
                n *= d;
            }
            total += n;
        }
        return total;
    }
}
