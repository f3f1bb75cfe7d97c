package io.imaginefleet.engine.cli;

import io.imaginefleet.engine.conformance.ConformanceRunner;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code sd conformance DIR}: runs a golden fixture set; exit 0 only when nothing failed. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = "Compare the engine with a golden fixture set (DIR/manifest.json); ends with 'N passed, N failed, N skipped'.")
final class ConformanceCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "fixture folder with manifest.json")
    Path dir;

    @Option(names = "--kinds", split = ",", paramLabel = "KIND", description = "only these case kinds")
    List<String> kinds;

    @Mixin
    EngineFlags engine;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(dir.resolve("manifest.json"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no manifest.json in " + dir);
        }
        try (ConformanceRunner runner = new ConformanceRunner(dir, engine.options())) {
            ConformanceRunner.Summary s = runner.runAll(k -> kinds == null || kinds.contains(k), System.out);
            return s.failed() == 0 ? 0 : 1;
        }
    }
}
