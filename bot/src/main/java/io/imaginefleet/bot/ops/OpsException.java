package io.imaginefleet.bot.ops;

/** An operator-facing failure with a message fit to print as is (never a secret in it). */
public class OpsException extends RuntimeException {
    public OpsException(String message) {
        super(message);
    }

    public OpsException(String message, Throwable cause) {
        super(message, cause);
    }
}
