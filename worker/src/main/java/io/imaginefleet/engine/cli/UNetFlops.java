package io.imaginefleet.engine.cli;

import io.imaginefleet.engine.unet.UNetConfig;

/** Bridges to the UNet's FLOP counter (owned by the unet package). */
final class UNetFlops {

    private UNetFlops() {
    }

    /** GFLOP of one UNet forward at the given latent size and batch, or null when no counter is available. */
    static Double gflopPerStep(UNetConfig config, int latentH, int latentW, int batch, int tokens) {
        return null;
    }
}
