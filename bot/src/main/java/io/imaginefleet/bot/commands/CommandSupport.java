package io.imaginefleet.bot.commands;

import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.bot.core.JobSubmitter;
import io.imaginefleet.bot.core.JobSubmitter.Inputs;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.Requester;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import net.dv8tion.jda.api.entities.Member;
import net.dv8tion.jda.api.interactions.callbacks.IReplyCallback;

/** What every job-producing command does: checks without I/O, acknowledge, then submit on the I/O executor. */
final class CommandSupport {
    private CommandSupport() {}

    static Requester requester(IReplyCallback e) {
        String guild = e.getGuild() == null ? null : e.getGuild().getId();
        String channel = e.getChannel() == null ? null : e.getChannel().getId();
        return new Requester(guild, channel, e.getUser().getId(), null);
    }

    static Optional<Long> guildId(IReplyCallback e) {
        return e.getGuild() == null ? Optional.empty() : Optional.of(e.getGuild().getIdLong());
    }

    /** An integer option as int, out-of-range values clamped so validation names the field and the range. */
    static int clampedInt(net.dv8tion.jda.api.interactions.commands.OptionMapping m) {
        long v = m.getAsLong();
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
    }

    /** A new random seed (non-negative, fits JavaScript's safe integers so Discord clients show it exactly). */
    static long newSeed() {
        return ThreadLocalRandom.current().nextLong(1L << 53);
    }

    /** Prechecks, takes the user's slot, defers and submits; refusals are ephemeral and produce no job. */
    static void run(IReplyCallback e, JobSubmitter submitter, Job draft, Inputs inputs) {
        Optional<String> refusal = submitter.precheck(draft, guildId(e)).or(() -> submitter.acquire(draft));
        if (refusal.isPresent()) {
            e.reply(refusal.get()).setEphemeral(true).queue();
            return;
        }
        java.time.Instant created = e.getTimeCreated().toInstant();
        e.deferReply().queue(hook -> submitter.submitDeferred(hook, created, draft, inputs), err -> submitter.release(draft));
    }

    /** Whether the user is configured as an operator (by id or role). */
    static boolean isOperator(BotSettings s, IReplyCallback e) {
        if (s.operatorUserIds().contains(e.getUser().getIdLong())) return true;
        Member m = e.getMember();
        return m != null && m.getRoles().stream().anyMatch(r -> s.operatorRoleIds().contains(r.getIdLong()));
    }
}
