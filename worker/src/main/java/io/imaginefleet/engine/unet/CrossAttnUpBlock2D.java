package io.imaginefleet.engine.unet;

/** diffusers {@code CrossAttnUpBlock2D}: skip-concatenating resnet → Transformer2DModel pairs, then the upsampler. */
final class CrossAttnUpBlock2D extends UpBlock {
    CrossAttnUpBlock2D(ResnetBlock2D[] resnets, Transformer2DModel[] attentions, Upsample2D upsamplerOrNull) {
        super(resnets, attentions, upsamplerOrNull);
    }
}
