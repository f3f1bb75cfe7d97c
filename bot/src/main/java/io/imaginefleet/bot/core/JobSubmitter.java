package io.imaginefleet.bot.core;

import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobValidator;
import io.imaginefleet.common.job.Violation;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.retry.TransientRetry;
import dev.failsafe.Failsafe;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a user's request into a job on {@code imagine.jobs}: the checks that need no I/O (guild, blocked terms,
 * validation, per-user limits) run before the interaction is acknowledged and answer ephemerally; everything with
 * I/O (attachments, S3, Kafka) runs on the bot's I/O executor after the acknowledgement. S3 and Kafka blips are
 * ridden out with bounded retries ({@link TransientRetry}); the user is refused only when one stays away longer.
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
    private final Duration queueWindow;
    /** Jobs between the acknowledgement and "queued" (or the refusal): archiving, producing, retrying. */
    private final Set<TrackedJob> intake = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public JobSubmitter(BotSettings settings, UsageLimits limits, JobTracker tracker, JobArchive archive,
                        Producer<String, byte[]> producer, ExecutorService io, BotMetrics metrics) {
        this(settings, limits, tracker, archive, producer, io, metrics, Retries.queueWindow());
    }

    /** With the window ({@link Retries#queueWindow()}) for which S3 and Kafka may be unavailable before a job is refused. */
    public JobSubmitter(BotSettings settings, UsageLimits limits, JobTracker tracker, JobArchive archive,
                        Producer<String, byte[]> producer, ExecutorService io, BotMetrics metrics, Duration queueWindow) {
        this.queueWindow = queueWindow;
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

    /**
     * Archives the job to S3 and produces it to {@code imagine.jobs}, neither blocking the caller: the archive write is
     * retried with backoff on the I/O executor while S3 is unavailable ({@link TransientRetry}, up to the queue window), and
     * the Kafka producer retries the send itself while the broker is away (its {@code delivery.timeout.ms}, set to the
     * same window in {@link FleetBot}). Only when a dependency is still unavailable after its window is the user told
     * the job could not be queued.
     */
    private void submitNow(InteractionHook hook, Instant hookAt, Job job) {
        TrackedJob t = new TrackedJob(job, hook, hookAt);
        intake.add(t);
        CompletableFuture<Void> archived;
        try {
            if (io.isShutdown()) throw new IllegalStateException("the bot is stopping");
            archived = Failsafe.with(TransientRetry.<Void>policy(queueWindow, "archiving job " + job.id(), LOG, io::isShutdown))
                    .with(io).runAsync(() -> archive.save(job));
        } catch (RuntimeException e) {
            notQueued(t, "the image storage", e);
            return;
        }
        archived.whenComplete((v, err) -> {
            if (err != null) notQueued(t, "the image storage", err);
            else produce(t);
        });
    }

    private void produce(TrackedJob t) {
        Job job = t.job();
        tracker.track(t);
        try {
            producer.send(new ProducerRecord<>(Topics.JOBS, job.id(), JobCodec.encode(job)), (md, err) -> {
                if (err != null) notQueued(t, "the job queue", err);
                else queued(t);
            });
        } catch (RuntimeException e) {
            notQueued(t, "the job queue", e);
        }
    }

    private void queued(TrackedJob t) {
        Job job = t.job();
        if (!intake.remove(t)) {
            LOG.warn("job {} reached the queue after its user was told it could not be queued", job.id());
            return;
        }
        metrics.submitted(job.kind().wireName());
        LOG.info("job {} ({}) queued for user {}", job.id(), job.kind().wireName(), job.requester().userId());
        InteractionHook hook = t.hook(settings.interactionTokenLifetime(), Instant.now());
        if (hook != null && t.state() == TrackedJob.State.QUEUED && t.editDue(0)) {
            hook.editOriginal(new MessageEditBuilder()
                    .setContent(Messages.queued(job, tracker.queuePosition(t))).setComponents(Messages.cancelRow(job.id())).build())
                    .queue(ok -> { }, err -> LOG.warn("queued edit of job {} failed: {}", job.id(), err.toString()));
        }
    }

    private void notQueued(TrackedJob t, String dependency, Throwable err) {
        if (!intake.remove(t)) return; // already answered
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null ? err.getCause() : err;
        Job job = t.job();
        LOG.warn("job {} could not be queued ({} unavailable after up to {} s): {}", job.id(), dependency, queueWindow.toSeconds(),
                cause.toString());
        InteractionHook hook = t.hook(settings.interactionTokenLifetime(), Instant.now());
        t.state(TrackedJob.State.FAILED, "not queued");
        release(job);
        metrics.refused("unavailable");
        if (hook != null) {
            refuse(hook, "❌ Your job could not be queued: " + dependency + " stayed unavailable (tried for "
                    + queueWindow.toSeconds() + " s). Nothing was started; please try again in a few minutes.");
        }
    }

    /**
     * Before the bot stops: waits up to {@code max} for the jobs still on their way to the queue (retrying through an
     * outage) to be queued or refused, then refuses the rest, so no user is left with a deferred answer that never
     * changes. Returns how many had to be refused because of the stop.
     */
    public int drain(Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (!intake.isEmpty() && System.nanoTime() < end) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int n = 0;
        for (TrackedJob t : List.copyOf(intake)) {
            if (!intake.remove(t)) continue;
            n++;
            InteractionHook hook = t.hook(settings.interactionTokenLifetime(), Instant.now());
            t.state(TrackedJob.State.FAILED, "not queued");
            release(t.job());
            metrics.refused("shutdown");
            LOG.warn("job {} not queued: the bot is stopping", t.id());
            if (hook != null) refuse(hook, "❌ Your job could not be queued because the bot is restarting. Nothing was started; "
                    + "please try again in a minute.");
        }
        return n;
    }

    /** Replaces the deferred answer by an ephemeral refusal. */
    public static void refuse(InteractionHook hook, String message) {
        hook.deleteOriginal().queue(ok -> { }, err -> { });
        hook.sendMessage(message).setEphemeral(true).queue(ok -> { }, err -> LOG.warn("refusal could not be sent: {}", err.toString()));
    }
}
