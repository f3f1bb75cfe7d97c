package io.imaginefleet.bot.commands;

import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.bot.core.InputImages;
import io.imaginefleet.bot.core.JobArchive;
import io.imaginefleet.bot.core.JobSubmitter;
import io.imaginefleet.bot.core.JobTracker;
import io.imaginefleet.bot.core.Messages;
import io.imaginefleet.bot.core.ResultPoster;
import io.imaginefleet.bot.core.TrackedJob;
import io.imaginefleet.bot.discord.CommandFamily;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobKind;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buttons on job messages: U1–U4 (upscale that image), V1–V4 (variation: img2img of it with a new seed),
 * 🔄 (reroll: same parameters, new seed) and ❌ (cancel a job not yet finished; requester or operator only).
 */
public final class ResultButtons extends ListenerAdapter implements CommandFamily {
    private static final Logger LOG = LoggerFactory.getLogger(ResultButtons.class);
    private final BotSettings settings;
    private final JobSubmitter submitter;
    private final JobTracker tracker;
    private final JobArchive archive;
    private final InputImages inputs;
    private final ResultPoster poster;
    private final ImageCommands images;

    public ResultButtons(BotSettings settings, JobSubmitter submitter, JobTracker tracker, JobArchive archive,
                         InputImages inputs, ResultPoster poster, ImageCommands images) {
        this.settings = settings;
        this.submitter = submitter;
        this.tracker = tracker;
        this.archive = archive;
        this.inputs = inputs;
        this.poster = poster;
        this.images = images;
    }

    @Override
    public List<CommandData> commands() {
        return List.of();
    }

    @Override
    public void onButtonInteraction(ButtonInteractionEvent e) {
        String id = e.getComponentId();
        if (!id.startsWith(Messages.BUTTON_PREFIX)) return;
        String[] p = id.substring(Messages.BUTTON_PREFIX.length()).split(":");
        if (p.length < 2) return;
        String action = p[0];
        String jobId = p[1];
        int index = p.length > 2 ? parse(p[2]) : 1;
        if (!settings.guildAllowed(CommandSupport.guildId(e))) {
            e.reply("This bot is not enabled in this server.").setEphemeral(true).queue();
            return;
        }
        if (action.equals("x")) {
            cancel(e, jobId);
            return;
        }
        Optional<Job> known = tracker.get(jobId).map(TrackedJob::job);
        Instant created = e.getTimeCreated().toInstant();
        e.deferReply().queue(hook -> submitter.io().execute(() -> derive(hook, created, e, action, jobId, index, known)),
                err -> LOG.warn("button {} could not be acknowledged: {}", action, err.toString()));
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException ex) {
            return 1;
        }
    }

    private void derive(InteractionHook hook, Instant created, ButtonInteractionEvent e, String action, String jobId, int index,
                        Optional<Job> known) {
        Optional<Job> src;
        try {
            src = known.or(() -> archive.load(jobId));
        } catch (RuntimeException ex) {
            JobSubmitter.refuse(hook, "❌ That job's details are not available right now; please try again later.");
            return;
        }
        if (src.isEmpty()) {
            JobSubmitter.refuse(hook, "❌ That job is too old or unknown; start a new one with /imagine.");
            return;
        }
        Job s = src.get();
        String newId = Job.newId();
        var requester = CommandSupport.requester(e);
        int i = Math.max(1, Math.min(index, Math.max(1, s.count())));
        Job draft;
        JobSubmitter.Inputs in = null;
        switch (action) {
            case "u" -> {
                draft = images.upscaleJob(newId, s.prompt(), s.width(), s.height(), requester);
                in = d -> d.withInputs(JobKind.UPSCALE, inputs.copyResult(Job.resultKey(jobId, i - 1), d.id()), null, null, ImageCommands.NOISE_LEVEL);
            }
            case "v" -> {
                draft = new Job(Job.SCHEMA_VERSION, newId, JobKind.IMG2IMG, s.model(), s.prompt(), s.negativePrompt(), s.width(),
                        s.height(), s.steps(), s.guidance(), s.scheduler(), CommandSupport.newSeed(), s.count(),
                        settings.variationStrength(), ImageCommands.placeholder(newId, "image"), null, null, requester,
                        Instant.now(), null, null);
                in = d -> d.withInputs(JobKind.IMG2IMG, inputs.copyResult(Job.resultKey(jobId, i - 1), d.id()), null, d.strength(), null);
            }
            case "r" -> draft = new Job(Job.SCHEMA_VERSION, newId, s.kind(), s.model(), s.prompt(), s.negativePrompt(), s.width(),
                    s.height(), s.steps(), s.guidance(), s.scheduler(), CommandSupport.newSeed(), s.count(), s.strength(),
                    s.inputImage(), s.maskImage(), s.noiseLevel(), requester, Instant.now(), null, null);
            default -> {
                JobSubmitter.refuse(hook, "❌ Unknown button.");
                return;
            }
        }
        Optional<String> refusal = submitter.precheck(draft, CommandSupport.guildId(e)).or(() -> submitter.acquire(draft));
        if (refusal.isPresent()) {
            JobSubmitter.refuse(hook, refusal.get());
            return;
        }
        submitter.submitDeferred(hook, created, draft, in);
    }

    private void cancel(ButtonInteractionEvent e, String jobId) {
        Optional<TrackedJob> t = tracker.get(jobId);
        if (t.isEmpty() || poster.finished(jobId) || t.get().state().finished()) {
            e.reply("That job has already finished (or is unknown to this bot).").setEphemeral(true).queue();
            return;
        }
        Job job = t.get().job();
        boolean own = job.requester() != null && e.getUser().getId().equals(job.requester().userId());
        if (!own && !CommandSupport.isOperator(settings, e)) {
            e.reply("Only the person who asked for this job can cancel it.").setEphemeral(true).queue();
            return;
        }
        String messageId = e.getMessageId();
        poster.markCancelled(t.get()); // memory first: later events for it are ignored from now on
        e.editMessage(Messages.cancelled(job)).setComponents().queue(ok -> submitter.io().execute(() -> poster.cancel(job, messageId)),
                err -> LOG.warn("cancel of job {} could not be acknowledged: {}", jobId, err.toString()));
    }
}
