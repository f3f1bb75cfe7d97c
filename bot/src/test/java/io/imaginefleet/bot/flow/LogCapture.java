package io.imaginefleet.bot.flow;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures every log line (message, parameters, exception text) in this JVM while installed. */
final class LogCapture extends Handler implements AutoCloseable {
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();

    static LogCapture install() {
        LogCapture c = new LogCapture();
        Logger.getLogger("").addHandler(c);
        return c;
    }

    @Override
    public void publish(LogRecord r) {
        StringBuilder sb = new StringBuilder(String.valueOf(r.getMessage()));
        if (r.getParameters() != null) for (Object p : r.getParameters()) sb.append(" | ").append(p);
        for (Throwable t = r.getThrown(); t != null; t = t.getCause()) sb.append(" | ").append(t);
        lines.add(sb.toString());
    }

    String text() {
        return String.join("\n", lines);
    }

    /** The captured lines (a live view; for streaming large captures). */
    Iterable<String> lines() {
        return lines;
    }

    int size() {
        return lines.size();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
