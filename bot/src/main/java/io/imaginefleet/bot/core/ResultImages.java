package io.imaginefleet.bot.core;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/** Image helpers for posting results: the 2×2 grid of a four-image job. */
public final class ResultImages {
    private ResultImages() {}

    /** Four PNGs side by side, two per row, as one PNG (each cell the size of the largest image). */
    public static byte[] grid2x2(List<byte[]> pngs) {
        if (pngs.size() != 4) throw new IllegalArgumentException("a grid needs 4 images, got " + pngs.size());
        try {
            BufferedImage[] imgs = new BufferedImage[4];
            int cw = 0;
            int ch = 0;
            for (int i = 0; i < 4; i++) {
                imgs[i] = ImageIO.read(new ByteArrayInputStream(pngs.get(i)));
                if (imgs[i] == null) throw new IllegalArgumentException("result image " + (i + 1) + " is not an image");
                cw = Math.max(cw, imgs[i].getWidth());
                ch = Math.max(ch, imgs[i].getHeight());
            }
            BufferedImage grid = new BufferedImage(cw * 2, ch * 2, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = grid.createGraphics();
            for (int i = 0; i < 4; i++) g.drawImage(imgs[i], (i % 2) * cw, (i / 2) * ch, null);
            g.dispose();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(grid, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
