package io.imaginefleet.bot.core;

/** A user's input (attachment, option) cannot be used; the message is shown to the user as is. */
public final class InputRefusedException extends Exception {
    public InputRefusedException(String message) {
        super(message);
    }
}
