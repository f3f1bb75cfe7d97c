package io.imaginefleet.engine.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code sd init-random}. */
@Command(name = "init-random", mixinStandardHelpOptions = true, description = "Write a full-size model folder with random weights.")
final class InitRandomCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("init-random is not implemented yet");
    }
}
