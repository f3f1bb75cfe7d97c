package io.imaginefleet.bot.commands;

import io.imaginefleet.bot.core.JobTracker;
import io.imaginefleet.bot.core.Messages;
import io.imaginefleet.bot.core.TrackedJob;
import io.imaginefleet.bot.discord.CommandFamily;
import java.util.List;
import java.util.Locale;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.InteractionContextType;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.Commands;

/** {@code /jobs}: the caller's recent jobs and their state (ephemeral; what this bot process has seen). */
public final class JobsCommand extends ListenerAdapter implements CommandFamily {
    public static final String NAME = "jobs";
    private final JobTracker tracker;

    public JobsCommand(JobTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public List<CommandData> commands() {
        return List.of(Commands.slash(NAME, "Your recent jobs and their state").setContexts(InteractionContextType.GUILD));
    }

    @Override
    public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
        if (!e.getName().equals(NAME)) return;
        List<TrackedJob> jobs = tracker.recent(e.getUser().getId(), 10);
        StringBuilder sb = new StringBuilder();
        if (jobs.isEmpty()) sb.append("You have no recent jobs.");
        else sb.append("Your recent jobs:");
        for (TrackedJob t : jobs) {
            String line = "\n• `" + t.id().substring(0, 8) + "` " + t.state().name().toLowerCase(Locale.ROOT)
                    + (t.detail().isEmpty() || t.state().finished() ? "" : " (" + t.detail() + ")") + " — " + Messages.prompt(t.job())
                    + Messages.what(t.job());
            if (sb.length() + line.length() > 1900) break;
            sb.append(line);
        }
        e.reply(sb.toString()).setEphemeral(true).queue();
    }
}
