package io.imaginefleet.bot.core;

import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobValidator;
import io.imaginefleet.common.job.Violation;
import io.imaginefleet.common.kafka.Topics;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a user's request into a job on {@code imagine.jobs}: the checks that need no I/O (guild, blocked terms,
 * validation, per-user limits) run before the interaction is acknowledged and answer ephemerally; everything with
 * I/O (attachments, S3, Kafka) runs on the bot's I/O executor after the acknowledgement.
 */
public final class JobSubmitter {
    private static final Logger LOG = LoggerFactory.getLogger(JobSubmitter.class);

    /** Fetches and stores a job's input images; returns the final job. */
    @FunctionalInterface
    public interface Inputs {
        Job apply(Job draft) throws InputRefusedException;
    }

    private final BotSettings settings;
    private final JobValidator validator;
    private final UsageLimits limits;
    private final JobTracker tracker;
    private final JobArchive archive;
    private final Producer<String, byte[]> producer;
    private final ExecutorService io;
    private final BotMetrics metrics;

    public JobSubmitter(BotSettings settings, UsageLimits limits, JobTracker tracker, JobArchive archive,
                        Producer<String, byte[]> producer, ExecutorService io, BotMetrics metrics) {
        this.settings = settings;
        Set<String> models = new HashSet<>(settings.models());
        models.add(settings.inpaintModel());
        models.add(settings.upscaleModel());
        this.validator = new JobValidator(JobValidator.Limits.defaults().withModels(models));
        this.limits = limits;
        this.tracker = tracker;
        this.archive = archive;
        this.producer = producer;
        this.io = io;
        this.metrics = metrics;
    }

    public JobValidator validator() {
        return validator;
    }

    public ExecutorService io() {
        return io;
    }

    /** The refusal for a request that must not run, checked without I/O; empty when it may go ahead. */
    public Optional<String> precheck(Job job, Optional<Long> guildId) {
        if (!settings.guildAllowed(guildId)) {
            metrics.refused("guild");
            return Optional.of("This bot is not enabled in this server.");
        }
        String lower = (job.prompt() == null ? "" : job.prompt()).toLowerCase(Locale.ROOT);
        for (String term : settings.blockedTerms()) {
            if (lower.contains(term)) {
                metrics.refused("blocked_term");
                return Optional.of("❌ Your prompt contains a blocked term (\"" + term + "\"). Please rephrase it.");
            }
        }
        List<Violation> v = validator.violations(job);
        if (!v.isEmpty()) {
            metrics.refused("invalid");
            return Optional.of(Messages.invalid(v));
        }
        return Optional.empty();
    }

    /** Takes the user's slot for the job or says why not. */
    public Optional<String> acquire(Job job) {
        Optional<String> r = limits.tryAcquire(job.requester().userId(), job.id(), Instant.now());
        r.ifPresent(x -> metrics.refused("limit"));
        return r.map(s -> "⏳ " + s);
    }

    /** Gives back the slot of a job that was refused or could not be submitted (not counted against the hour). */
    public void release(Job job) {
        limits.abort(job.requester().userId(), job.id());
    }

    /** After the interaction was deferred: inputs, validation, archive, produce, then "queued — position N". */
    public void submitDeferred(InteractionHook hook, Instant hookAt, Job draft, Inputs inputs) {
        io.execute(() -> {
            Job job = draft;
            try {
                if (inputs != null) job = inputs.apply(draft);
                List<Violation> v = validator.violations(job);
                if (!v.isEmpty()) throw new InputRefusedException(Messages.invalid(v));
            } catch (InputRefusedException e) {
                metrics.refused("input");
                release(draft);
                refuse(hook, e.getMessage());
                return;
            } catch (RuntimeException e) {
                LOG.warn("preparing job {} failed: {}", draft.id(), e.toString());
                metrics.refused("error");
                release(draft);
                refuse(hook, "❌ Your attachment could not be stored right now; please try again in a minute.");
                return;
            }
            submitNow(hook, hookAt, job);
        });
    }

    private void submitNow(InteractionHook hook, Instant hookAt, Job job) {
        TrackedJob t = new TrackedJob(job, hook, hookAt);
        try {
            archive.save(job);
            tracker.track(t);
            producer.send(new ProducerRecord<>(Topics.JOBS, job.id(), JobCodec.encode(job))).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            LOG.warn("submitting job {} failed: {}", job.id(), e.toString());
            t.state(TrackedJob.State.FAILED, "not submitted");
            release(job);
            metrics.refused("unavailable");
            refuse(hook, "❌ The job queue is unavailable right now; please try again in a minute.");
            return;
        }
        metrics.submitted(job.kind().wireName());
        LOG.info("job {} ({}) queued for user {}", job.id(), job.kind().wireName(), job.requester().userId());
        if (t.state() == TrackedJob.State.QUEUED && t.editDue(0)) {
            hook.editOriginal(new MessageEditBuilder().setContent(Messages.queued(job, tracker.queuePosition(t)))
                    .setComponents(Messages.cancelRow(job.id())).build()).queue(ok -> { }, err -> LOG.warn("queued edit of job {} failed: {}", job.id(), err.toString()));
        }
    }

    /** Replaces the deferred answer by an ephemeral refusal. */
    public static void refuse(InteractionHook hook, String message) {
        hook.deleteOriginal().queue(ok -> { }, err -> { });
        hook.sendMessage(message).setEphemeral(true).queue(ok -> { }, err -> LOG.warn("refusal could not be sent: {}", err.toString()));
    }
}
