package io.imaginefleet.engine.unet;

/** diffusers {@code UpBlock2D}: skip-concatenating resnets, then the upsampler (unless it is the last block). */
final class UpBlock2D extends UpBlock {
    UpBlock2D(ResnetBlock2D[] resnets, Upsample2D upsamplerOrNull) {
        super(resnets, null, upsamplerOrNull);
    }
}
