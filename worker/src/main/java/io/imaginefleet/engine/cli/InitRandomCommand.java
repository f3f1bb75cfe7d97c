package io.imaginefleet.engine.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code sd init-random}: a full-size diffusers folder with random float32 weights (benchmarks, smoke tests). */
@Command(name = "init-random", mixinStandardHelpOptions = true,
        description = "Write a full-size model folder (SD 1.5, SD 2.1 or x4 upscaler layout) with random float32 weights.")
final class InitRandomCommand implements Callable<Integer> {

    @Option(names = "--arch", required = true, description = "sd15, sd2 or x4-upscaler")
    String arch;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR", description = "a CLIP tokenizer folder (vocab.json, merges.txt, …) to copy")
    Path tokenizer;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (keep it outside the repository)")
    Path out;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!RandomModel.ARCHS.contains(arch)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--arch must be one of " + RandomModel.ARCHS + ", got " + arch);
        }
        if (!Files.isDirectory(tokenizer)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tokenizer: no such folder " + tokenizer);
        }
        long t0 = System.nanoTime();
        long params = RandomModel.write(arch, tokenizer, out, seed);
        System.err.printf("wrote %s (%s, %,d parameters) in %.1f s%n", out, arch, params, (System.nanoTime() - t0) / 1e9);
        System.out.println(out);
        return 0;
    }
}
