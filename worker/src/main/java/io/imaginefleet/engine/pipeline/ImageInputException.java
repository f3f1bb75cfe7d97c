package io.imaginefleet.engine.pipeline;

/**
 * An input picture (init image, mask, low-res image) that cannot be used: empty, not an image, a format we do not
 * take, truncated, over the pixel limit, animated. The message says which and is safe to show to the user.
 * It is an {@link IllegalArgumentException}: bad input, never a reason to retry.
 */
public class ImageInputException extends IllegalArgumentException {
    public ImageInputException(String message) {
        super(message);
    }

    public ImageInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
