package io.imaginefleet.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskInputTest {

    @Test
    void whiteIsRepaintAndAMaskOfAnotherSizeIsResized() {
        BufferedImage mask = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = mask.createGraphics();
        g.setColor(new Color(200, 200, 200)); // light grey >= 0.5 -> repaint
        g.fillRect(0, 0, 16, 32);
        g.setColor(new Color(90, 90, 90));    // dark grey < 0.5 -> keep
        g.fillRect(16, 0, 16, 32);
        g.dispose();
        float[] m = MaskInput.prepare(mask, 64, 64);
        assertThat(m).hasSize(64 * 64);
        assertThat(m[10 * 64 + 5]).isEqualTo(1f);
        assertThat(m[10 * 64 + 60]).isEqualTo(0f);
        for (float v : m) {
            assertThat(v == 0f || v == 1f).isTrue();
        }
    }

    @Test
    void allBlackMaskIsAClearError() {
        BufferedImage black = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        assertThatThrownBy(() -> MaskInput.prepare(black, 64, 64))
                .isInstanceOf(ImageInputException.class)
                .hasMessageContaining("mask is all black");
    }

    @Test
    void nearestResizeFollowsTorchAndPil() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(0f, 4f).reshape(new Shape(1, 1, 1, 4));
            assertThat(MaskInput.resizeNearest(x, 1, 2, false).toFloatArray()).containsExactly(0f, 2f);
            assertThat(MaskInput.resizeNearest(x, 1, 2, true).toFloatArray()).containsExactly(1f, 3f);
        }
    }
}
