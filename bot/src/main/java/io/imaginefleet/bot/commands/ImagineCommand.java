package io.imaginefleet.bot.commands;

import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.bot.core.JobSubmitter;
import io.imaginefleet.bot.discord.CommandFamily;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobKind;
import io.imaginefleet.common.job.JobValidator;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import net.dv8tion.jda.api.events.interaction.command.CommandAutoCompleteInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.InteractionContextType;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;

/** {@code /imagine prompt [negative] [aspect|width/height] [steps] [guidance] [seed] [scheduler] [model] [count]}. */
public final class ImagineCommand extends ListenerAdapter implements CommandFamily {
    public static final String NAME = "imagine";
    /** Aspect choices and their width:height ratio. */
    public static final List<String> ASPECTS = List.of("1:1", "3:2", "2:3", "16:9", "9:16");

    private final BotSettings settings;
    private final JobSubmitter submitter;

    public ImagineCommand(BotSettings settings, JobSubmitter submitter) {
        this.settings = settings;
        this.submitter = submitter;
    }

    @Override
    public List<CommandData> commands() {
        OptionData aspect = new OptionData(OptionType.STRING, "aspect", "aspect ratio (default 1:1)");
        ASPECTS.forEach(a -> aspect.addChoice(a, a));
        OptionData scheduler = new OptionData(OptionType.STRING, "scheduler", "sampler");
        JobValidator.SCHEDULERS.forEach(s -> scheduler.addChoice(s, s));
        return List.of(Commands.slash(NAME, "Generate images from a text prompt")
                .addOption(OptionType.STRING, "prompt", "what to draw", true)
                .addOption(OptionType.STRING, "negative", "what to avoid")
                .addOptions(aspect)
                .addOption(OptionType.INTEGER, "width", "width in pixels (multiple of 8)")
                .addOption(OptionType.INTEGER, "height", "height in pixels (multiple of 8)")
                .addOption(OptionType.INTEGER, "steps", "denoising steps")
                .addOption(OptionType.NUMBER, "guidance", "how closely to follow the prompt")
                .addOption(OptionType.INTEGER, "seed", "seed for a repeatable result")
                .addOptions(scheduler)
                .addOption(OptionType.STRING, "model", "model", false, true)
                .addOptions(new OptionData(OptionType.INTEGER, "count", "how many images (1–4)").setRequiredRange(1, 4))
                .setContexts(InteractionContextType.GUILD));
    }

    @Override
    public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
        if (!e.getName().equals(NAME)) return;
        Job job;
        try {
            job = build(e);
        } catch (RuntimeException ex) {
            e.reply("❌ The options could not be read: " + ex.getMessage()).setEphemeral(true).queue();
            return;
        }
        CommandSupport.run(e, submitter, job, null);
    }

    @Override
    public void onCommandAutoCompleteInteraction(CommandAutoCompleteInteractionEvent e) {
        if (!e.getName().equals(NAME) || !e.getFocusedOption().getName().equals("model")) return;
        String typed = e.getFocusedOption().getValue().toLowerCase(Locale.ROOT);
        e.replyChoiceStrings(settings.models().stream().filter(m -> m.contains(typed)).limit(25).toList()).queue();
    }

    private Job build(SlashCommandInteractionEvent e) {
        int[] size = size(e.getOption("aspect", "1:1", OptionMapping::getAsString), settings.baseSide());
        int width = e.getOption("width", size[0], CommandSupport::clampedInt);
        int height = e.getOption("height", size[1], CommandSupport::clampedInt);
        Long seed = e.getOption("seed", null, OptionMapping::getAsLong);
        return new Job(Job.SCHEMA_VERSION, Job.newId(), JobKind.TXT2IMG,
                e.getOption("model", settings.defaultModel(), OptionMapping::getAsString),
                e.getOption("prompt", "", OptionMapping::getAsString),
                e.getOption("negative", null, OptionMapping::getAsString),
                width, height,
                e.getOption("steps", settings.defaultSteps(), CommandSupport::clampedInt),
                e.getOption("guidance", settings.defaultGuidance(), OptionMapping::getAsDouble),
                e.getOption("scheduler", settings.defaultScheduler(), OptionMapping::getAsString),
                seed == null ? CommandSupport.newSeed() : seed,
                e.getOption("count", 1, CommandSupport::clampedInt),
                null, null, null, null, CommandSupport.requester(e), Instant.now(), null, null);
    }

    /** Width and height for an aspect ratio with about {@code base}² pixels, multiples of 8. */
    public static int[] size(String aspect, int base) {
        String[] p = aspect.split(":");
        double ratio = Double.parseDouble(p[0]) / Double.parseDouble(p[1]);
        int w = round8(base * Math.sqrt(ratio));
        int h = round8(base / Math.sqrt(ratio));
        return new int[] {w, h};
    }

    private static int round8(double v) {
        return Math.max(8, (int) Math.round(v / 8.0) * 8);
    }
}
