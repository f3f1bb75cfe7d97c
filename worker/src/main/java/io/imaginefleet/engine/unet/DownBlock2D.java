package io.imaginefleet.engine.unet;

/** diffusers {@code DownBlock2D}: resnets only, then the downsampler (unless it is the last block). */
final class DownBlock2D extends DownBlock {
    DownBlock2D(ResnetBlock2D[] resnets, Downsample2D downsamplerOrNull) {
        super(resnets, null, downsamplerOrNull);
    }
}
