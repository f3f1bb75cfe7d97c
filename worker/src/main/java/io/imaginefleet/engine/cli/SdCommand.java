package io.imaginefleet.engine.cli;

import io.imaginefleet.engine.io.ModelFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code sd}: the engine's command line ({@code bin/sd}). Subcommands txt2img, img2img, inpaint, upscale,
 * conformance, bench, init-random. Bad arguments and bad input print one line and exit with 2; other failures
 * print one line and exit with 1.
 */
@Command(name = "sd", mixinStandardHelpOptions = true, version = "sd (imagine-fleet engine) 0.1",
        description = "Stable Diffusion in Java on DJL, matching diffusers.",
        subcommands = {Txt2ImgCommand.class, Img2ImgCommand.class, InpaintCommand.class, UpscaleCommand.class,
                ConformanceCommand.class, BenchCommand.class, InitRandomCommand.class})
public final class SdCommand implements Runnable {

    /** Exit code of bad arguments / bad input. */
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (txt2img, img2img, inpaint, "
                + "upscale, conformance, bench, init-random)");
    }

    /** The configured command line (tests run it in-process). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SdCommand());
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            PrintWriter err = c.getErr();
            err.println(c.getCommandSpec().qualifiedName() + ": " + ex.getMessage()
                    + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parse) -> {
            PrintWriter err = c.getErr();
            String name = c.getCommandSpec().qualifiedName();
            int code = 1;
            if (ex instanceof IllegalArgumentException) {
                code = USAGE;
            }
            if (ex instanceof ModelFormatException) {
                code = 1;
            }
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            err.println(name + ": " + msg.lines().findFirst().orElse(msg));
            err.flush();
            if (System.getenv("SD_DEBUG") != null) {
                ex.printStackTrace(err);
            }
            return code;
        });
        return cl;
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
