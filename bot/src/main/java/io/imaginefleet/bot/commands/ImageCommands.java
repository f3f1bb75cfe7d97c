package io.imaginefleet.bot.commands;

import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.bot.core.InputImages;
import io.imaginefleet.bot.core.JobSubmitter;
import io.imaginefleet.bot.discord.CommandFamily;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobKind;
import io.imaginefleet.common.job.JobValidator;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.events.interaction.command.MessageContextInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.InteractionContextType;
import net.dv8tion.jda.api.interactions.callbacks.IReplyCallback;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.Commands;

/**
 * Commands that start from the user's picture: {@code /inpaint image mask prompt …}, {@code /upscale image} and the
 * message context-menu command "Upscale image". Attachments are fetched only from the allowed hosts, checked and
 * copied into S3 {@code inputs/} after the interaction is acknowledged.
 */
public final class ImageCommands extends ListenerAdapter implements CommandFamily {
    public static final String INPAINT = "inpaint";
    public static final String UPSCALE = "upscale";
    public static final String UPSCALE_MENU = "Upscale image";
    /** Noise level of upscale jobs (the x4 upscaler's usual 20). */
    public static final int NOISE_LEVEL = 20;

    private final BotSettings settings;
    private final JobSubmitter submitter;
    private final InputImages inputs;

    public ImageCommands(BotSettings settings, JobSubmitter submitter, InputImages inputs) {
        this.settings = settings;
        this.submitter = submitter;
        this.inputs = inputs;
    }

    @Override
    public List<CommandData> commands() {
        return List.of(
                Commands.slash(INPAINT, "Repaint the white part of a mask on your image")
                        .addOption(OptionType.ATTACHMENT, "image", "the picture (PNG, JPEG or WebP)", true)
                        .addOption(OptionType.ATTACHMENT, "mask", "white = repaint, black = keep", true)
                        .addOption(OptionType.STRING, "prompt", "what to paint there", true)
                        .addOption(OptionType.STRING, "negative", "what to avoid")
                        .addOption(OptionType.INTEGER, "steps", "denoising steps")
                        .addOption(OptionType.NUMBER, "guidance", "how closely to follow the prompt")
                        .addOption(OptionType.NUMBER, "strength", "how much to change (0–1, default 1)")
                        .addOption(OptionType.INTEGER, "seed", "seed for a repeatable result")
                        .setContexts(InteractionContextType.GUILD),
                Commands.slash(UPSCALE, "Make a picture four times larger")
                        .addOption(OptionType.ATTACHMENT, "image", "the picture (PNG, JPEG or WebP)", true)
                        .addOption(OptionType.STRING, "prompt", "what the picture shows (optional)")
                        .setContexts(InteractionContextType.GUILD),
                Commands.message(UPSCALE_MENU).setContexts(InteractionContextType.GUILD));
    }

    @Override
    public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
        if (e.getName().equals(INPAINT)) inpaint(e);
        else if (e.getName().equals(UPSCALE)) {
            Message.Attachment image = e.getOption("image", null, OptionMapping::getAsAttachment);
            upscale(e, image, e.getOption("prompt", "", OptionMapping::getAsString));
        }
    }

    @Override
    public void onMessageContextInteraction(MessageContextInteractionEvent e) {
        if (!e.getName().equals(UPSCALE_MENU)) return;
        Optional<Message.Attachment> image = e.getTarget().getAttachments().stream().filter(ImageCommands::looksLikeImage).findFirst();
        if (image.isEmpty()) {
            e.reply("❌ That message has no image attachment to upscale.").setEphemeral(true).queue();
            return;
        }
        upscale(e, image.get(), "");
    }

    private static boolean looksLikeImage(Message.Attachment a) {
        return a.isImage() || (a.getContentType() != null && a.getContentType().startsWith("image/"));
    }

    private void inpaint(SlashCommandInteractionEvent e) {
        Message.Attachment image = e.getOption("image", null, OptionMapping::getAsAttachment);
        Message.Attachment mask = e.getOption("mask", null, OptionMapping::getAsAttachment);
        if (image == null || mask == null) {
            e.reply("❌ /inpaint needs an **image** and a **mask** attachment.").setEphemeral(true).queue();
            return;
        }
        String id = Job.newId();
        Long seed = e.getOption("seed", null, OptionMapping::getAsLong);
        int side = settings.baseSide();
        Job draft = new Job(Job.SCHEMA_VERSION, id, JobKind.INPAINT, settings.inpaintModel(),
                e.getOption("prompt", "", OptionMapping::getAsString), e.getOption("negative", null, OptionMapping::getAsString),
                side, side, e.getOption("steps", settings.defaultSteps(), CommandSupport::clampedInt),
                e.getOption("guidance", settings.defaultGuidance(), OptionMapping::getAsDouble), settings.defaultScheduler(),
                seed == null ? CommandSupport.newSeed() : seed, 1, e.getOption("strength", 1.0, OptionMapping::getAsDouble),
                placeholder(id, "image"), placeholder(id, "mask"), null, CommandSupport.requester(e), Instant.now(), null, null);
        if (refuseEarly(e, image, "image") || refuseEarly(e, mask, "mask")) return;
        CommandSupport.run(e, submitter, draft, d -> {
            InputImages.Stored img = inputs.store(d.id(), "image", image.getUrl());
            InputImages.Stored msk = inputs.store(d.id(), "mask", mask.getUrl());
            return d.withInputs(JobKind.INPAINT, img.key(), msk.key(), d.strength(), null)
                    .withSize(InputImages.floor8(img.info().width()), InputImages.floor8(img.info().height()));
        });
    }

    private void upscale(IReplyCallback e, Message.Attachment image, String prompt) {
        if (image == null) {
            e.reply("❌ /upscale needs an **image** attachment.").setEphemeral(true).queue();
            return;
        }
        if (refuseEarly(e, image, "image")) return;
        String id = Job.newId();
        Job draft = upscaleJob(id, prompt, 64, 64, CommandSupport.requester(e));
        CommandSupport.run(e, submitter, draft, d -> {
            InputImages.Stored img = inputs.store(d.id(), "image", image.getUrl());
            return d.withInputs(JobKind.UPSCALE, img.key(), null, null, NOISE_LEVEL)
                    .withSize(InputImages.floor8(img.info().width()), InputImages.floor8(img.info().height()));
        });
    }

    /** An upscale job of {@code width}×{@code height} input pixels (input key set later). */
    Job upscaleJob(String id, String prompt, int width, int height, io.imaginefleet.common.job.Requester requester) {
        return new Job(Job.SCHEMA_VERSION, id, JobKind.UPSCALE, settings.upscaleModel(), prompt == null ? "" : prompt, null,
                width, height, settings.defaultSteps(), settings.defaultGuidance(), settings.defaultScheduler(),
                CommandSupport.newSeed(), 1, null, placeholder(id, "image"), null, NOISE_LEVEL, requester, Instant.now(), null, null);
    }

    static String placeholder(String jobId, String name) {
        return JobValidator.INPUT_PREFIX + jobId + "/" + name;
    }

    /** Refusals visible from the attachment's metadata alone: foreign host, declared size. */
    private boolean refuseEarly(IReplyCallback e, Message.Attachment a, String label) {
        String why = null;
        if (!inputs.allowed(a.getUrl())) {
            why = "❌ The " + label + " is not on Discord's CDN; only Discord attachments are accepted.";
        } else if (a.getSize() > settings.maxInputBytes()) {
            why = "❌ The " + label + " is too large (" + a.getSize() / 1024 + " KiB; at most " + settings.maxInputBytes() / 1024 + " KiB are accepted).";
        }
        if (why == null) return false;
        e.reply(why).setEphemeral(true).queue();
        return true;
    }
}
