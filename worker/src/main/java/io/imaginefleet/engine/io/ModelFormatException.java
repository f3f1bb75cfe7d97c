package io.imaginefleet.engine.io;

/**
 * A model folder or weights file that cannot be used: a missing or mis-shaped tensor, a corrupt header,
 * an unsupported config. The message always names the file (and the tensor where there is one).
 */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
