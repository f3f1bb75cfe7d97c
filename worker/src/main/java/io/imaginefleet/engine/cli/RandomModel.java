package io.imaginefleet.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.imaginefleet.engine.pipeline.SeededNoise;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes a full-size diffusers model folder with random float32 weights ({@code sd init-random}): the real SD 1.5,
 * SD 2.1 or x4-upscaler configurations, parameter names and shapes from {@link ModelShapes} (the same config → shapes
 * logic as the modules), seeded LeCun-normal weights ({@code N(0, 1/fan_in)}), {@code N(0, 0.05)} biases, norm
 * weights {@code 1 + N(0, 0.1)}, embeddings {@code N(0, 1)}. Tensors are streamed to disk (memory stays small).
 */
public final class RandomModel {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RandomModel() {
    }

    /** Architectures {@code sd15}, {@code sd2}, {@code x4-upscaler}. */
    public static final java.util.List<String> ARCHS = java.util.List.of("sd15", "sd2", "x4-upscaler");

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s.replace('\'', '"'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void check(String arch) {
        if (!ARCHS.contains(arch)) {
            throw new IllegalArgumentException("--arch must be one of " + ARCHS + ", got " + arch);
        }
    }

    /** The real {@code unet/config.json} of an architecture. */
    public static JsonNode unetConfig(String arch) {
        check(arch);
        String common = "'_class_name':'UNet2DConditionModel','_diffusers_version':'0.27.2','act_fn':'silu',"
                + "'center_input_sample':false,'downsample_padding':1,'flip_sin_to_cos':true,'freq_shift':0,"
                + "'layers_per_block':2,'mid_block_scale_factor':1,'norm_eps':1e-05,'norm_num_groups':32,'out_channels':4,";
        return switch (arch) {
            case "sd15" -> json("{" + common + "'attention_head_dim':8,'block_out_channels':[320,640,1280,1280],"
                    + "'cross_attention_dim':768,'in_channels':4,'sample_size':64,"
                    + "'down_block_types':['CrossAttnDownBlock2D','CrossAttnDownBlock2D','CrossAttnDownBlock2D','DownBlock2D'],"
                    + "'up_block_types':['UpBlock2D','CrossAttnUpBlock2D','CrossAttnUpBlock2D','CrossAttnUpBlock2D']}");
            case "sd2" -> json("{" + common + "'attention_head_dim':[5,10,20,20],'block_out_channels':[320,640,1280,1280],"
                    + "'cross_attention_dim':1024,'in_channels':4,'sample_size':96,'use_linear_projection':true,'upcast_attention':true,"
                    + "'down_block_types':['CrossAttnDownBlock2D','CrossAttnDownBlock2D','CrossAttnDownBlock2D','DownBlock2D'],"
                    + "'up_block_types':['UpBlock2D','CrossAttnUpBlock2D','CrossAttnUpBlock2D','CrossAttnUpBlock2D']}");
            default -> json("{" + common + "'attention_head_dim':8,'block_out_channels':[256,512,512,1024],"
                    + "'cross_attention_dim':1024,'in_channels':7,'sample_size':128,'use_linear_projection':true,"
                    + "'num_class_embeds':1000,'class_embed_type':null,'only_cross_attention':[true,true,true,false],"
                    + "'down_block_types':['DownBlock2D','CrossAttnDownBlock2D','CrossAttnDownBlock2D','CrossAttnDownBlock2D'],"
                    + "'up_block_types':['CrossAttnUpBlock2D','CrossAttnUpBlock2D','CrossAttnUpBlock2D','UpBlock2D']}");
        };
    }

    /** The real {@code vae/config.json} of an architecture. */
    public static JsonNode vaeConfig(String arch) {
        check(arch);
        if (arch.equals("x4-upscaler")) {
            return json("{'_class_name':'AutoencoderKL','_diffusers_version':'0.27.2','act_fn':'silu','block_out_channels':[128,256,512],"
                    + "'down_block_types':['DownEncoderBlock2D','DownEncoderBlock2D','DownEncoderBlock2D'],'in_channels':3,"
                    + "'latent_channels':4,'layers_per_block':2,'norm_num_groups':32,'out_channels':3,'sample_size':256,"
                    + "'scaling_factor':0.08333,'up_block_types':['UpDecoderBlock2D','UpDecoderBlock2D','UpDecoderBlock2D']}");
        }
        return json("{'_class_name':'AutoencoderKL','_diffusers_version':'0.27.2','act_fn':'silu','block_out_channels':[128,256,512,512],"
                + "'down_block_types':['DownEncoderBlock2D','DownEncoderBlock2D','DownEncoderBlock2D','DownEncoderBlock2D'],"
                + "'in_channels':3,'latent_channels':4,'layers_per_block':2,'norm_num_groups':32,'out_channels':3,"
                + "'sample_size':" + (arch.equals("sd15") ? 512 : 768) + ",'scaling_factor':0.18215,"
                + "'up_block_types':['UpDecoderBlock2D','UpDecoderBlock2D','UpDecoderBlock2D','UpDecoderBlock2D']}");
    }

    /** The real {@code text_encoder/config.json} (CLIP ViT-L/14 for SD 1.5, OpenCLIP ViT-H/14 for SD 2 and x4). */
    public static JsonNode textConfig(String arch) {
        check(arch);
        if (arch.equals("sd15")) {
            return json("{'architectures':['CLIPTextModel'],'model_type':'clip_text_model','attention_dropout':0.0,"
                    + "'bos_token_id':0,'eos_token_id':2,'pad_token_id':1,'hidden_act':'quick_gelu','hidden_size':768,"
                    + "'intermediate_size':3072,'layer_norm_eps':1e-05,'max_position_embeddings':77,'num_attention_heads':12,"
                    + "'num_hidden_layers':12,'projection_dim':768,'torch_dtype':'float32','vocab_size':49408}");
        }
        return json("{'architectures':['CLIPTextModel'],'model_type':'clip_text_model','attention_dropout':0.0,"
                + "'bos_token_id':0,'eos_token_id':2,'pad_token_id':1,'hidden_act':'gelu','hidden_size':1024,"
                + "'intermediate_size':4096,'layer_norm_eps':1e-05,'max_position_embeddings':77,'num_attention_heads':16,"
                + "'num_hidden_layers':23,'projection_dim':512,'torch_dtype':'float32','vocab_size':49408}");
    }

    static JsonNode schedulerConfig(String arch) {
        return switch (arch) {
            case "sd15" -> json("{'_class_name':'PNDMScheduler','_diffusers_version':'0.6.0','beta_end':0.012,"
                    + "'beta_schedule':'scaled_linear','beta_start':0.00085,'num_train_timesteps':1000,'set_alpha_to_one':false,"
                    + "'skip_prk_steps':true,'steps_offset':1,'trained_betas':null,'clip_sample':false}");
            case "sd2" -> json("{'_class_name':'DDIMScheduler','_diffusers_version':'0.8.0','beta_end':0.012,"
                    + "'beta_schedule':'scaled_linear','beta_start':0.00085,'clip_sample':false,'num_train_timesteps':1000,"
                    + "'prediction_type':'v_prediction','set_alpha_to_one':false,'skip_prk_steps':true,'steps_offset':1,'trained_betas':null}");
            default -> json("{'_class_name':'DDIMScheduler','_diffusers_version':'0.8.0','beta_end':0.02,"
                    + "'beta_schedule':'scaled_linear','beta_start':0.0001,'clip_sample':false,'num_train_timesteps':1000,"
                    + "'prediction_type':'v_prediction','set_alpha_to_one':false,'skip_prk_steps':true,'steps_offset':1,'trained_betas':null}");
        };
    }

    /** Writes the folder; returns the number of parameters written. */
    public static long write(String arch, Path tokenizerDir, Path out, long seed) throws IOException {
        check(arch);
        if (!Files.isRegularFile(tokenizerDir.resolve("vocab.json")) || !Files.isRegularFile(tokenizerDir.resolve("merges.txt"))) {
            throw new IllegalArgumentException("--tokenizer " + tokenizerDir + " has no vocab.json and merges.txt");
        }
        Files.createDirectories(out);
        Path tok = Files.createDirectories(out.resolve("tokenizer"));
        try (Stream<Path> files = Files.list(tokenizerDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, tok.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        boolean upscaler = arch.equals("x4-upscaler");
        ObjectNode index = (ObjectNode) json("{'_class_name':'" + (upscaler ? "StableDiffusionUpscalePipeline" : "StableDiffusionPipeline")
                + "','_diffusers_version':'0.27.2','feature_extractor':[null,null],'safety_checker':[null,null],"
                + "'scheduler':['diffusers','" + schedulerConfig(arch).get("_class_name").asText() + "'],"
                + "'text_encoder':['transformers','CLIPTextModel'],'tokenizer':['transformers','CLIPTokenizer'],"
                + "'unet':['diffusers','UNet2DConditionModel'],'vae':['diffusers','AutoencoderKL']}");
        if (upscaler) {
            index.set("low_res_scheduler", json("['diffusers','DDPMScheduler']"));
            index.put("max_noise_level", 350);
            writeJson(Files.createDirectories(out.resolve("low_res_scheduler")).resolve("scheduler_config.json"),
                    json("{'_class_name':'DDPMScheduler','_diffusers_version':'0.8.0','beta_end':0.02,'beta_schedule':'scaled_linear',"
                            + "'beta_start':0.0001,'clip_sample':false,'num_train_timesteps':1000,'trained_betas':null,'variance_type':'fixed_small'}"));
        } else {
            index.put("requires_safety_checker", false);
        }
        writeJson(out.resolve("model_index.json"), index);
        writeJson(Files.createDirectories(out.resolve("scheduler")).resolve("scheduler_config.json"), schedulerConfig(arch));
        long total = 0;
        total += component(out.resolve("text_encoder"), "model.safetensors", textConfig(arch), ModelShapes.clipText(textConfig(arch)), seed);
        total += component(out.resolve("vae"), "diffusion_pytorch_model.safetensors", vaeConfig(arch), ModelShapes.vae(vaeConfig(arch)), seed + 1);
        total += component(out.resolve("unet"), "diffusion_pytorch_model.safetensors", unetConfig(arch), ModelShapes.unet(unetConfig(arch)), seed + 2);
        return total;
    }

    private static void writeJson(Path file, JsonNode node) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(node) + "\n");
    }

    private static long component(Path dir, String file, JsonNode config, Map<String, long[]> shapes, long seed) throws IOException {
        Files.createDirectories(dir);
        writeJson(dir.resolve("config.json"), config);
        writeSafetensors(dir.resolve(file), shapes, seed);
        return ModelShapes.count(shapes);
    }

    /** Streams random float32 tensors into a safetensors file (header sorted by name, like the Python writers). */
    static void writeSafetensors(Path file, Map<String, long[]> shapes, long seed) throws IOException {
        Map<String, long[]> sorted = new TreeMap<>(shapes);
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (var e : sorted.entrySet()) {
            long bytes = 4L * Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            Arrays.stream(e.getValue()).forEach(shape::add);
            var off = t.putArray("data_offsets");
            off.add(offset);
            off.add(offset + bytes);
            offset += bytes;
        }
        header.putObject("__metadata__").put("format", "pt");
        byte[] h = new ObjectMapper().writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        byte[] hp = Arrays.copyOf(h, padded);
        Arrays.fill(hp, h.length, padded, (byte) ' ');
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).flip();
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(hp));
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
            for (var e : sorted.entrySet()) {
                String name = e.getKey();
                long[] shape = e.getValue();
                long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
                SeededNoise rng = new SeededNoise(seed * 0x9E3779B97F4A7C15L + name.hashCode());
                double mean = 0;
                double std;
                if (name.endsWith(".bias")) {
                    std = 0.05;
                } else if (shape.length == 1) {
                    mean = 1;
                    std = 0.1;
                } else if (name.contains("embedding")) {
                    std = 1;
                } else {
                    long fanIn = n / shape[0];
                    std = 1 / Math.sqrt(fanIn);
                }
                for (long i = 0; i < n; i++) {
                    if (!buf.hasRemaining()) {
                        buf.flip();
                        writeFully(ch, buf);
                        buf.clear();
                    }
                    buf.putFloat((float) (mean + std * rng.nextGaussian()));
                }
            }
            buf.flip();
            writeFully(ch, buf);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
