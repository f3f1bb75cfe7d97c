package io.imaginefleet.engine.unet;

/** diffusers {@code CrossAttnDownBlock2D}: resnet → Transformer2DModel pairs, then the downsampler. */
final class CrossAttnDownBlock2D extends DownBlock {
    CrossAttnDownBlock2D(ResnetBlock2D[] resnets, Transformer2DModel[] attentions, Downsample2D downsamplerOrNull) {
        super(resnets, attentions, downsamplerOrNull);
    }
}
