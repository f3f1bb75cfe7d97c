package io.imaginefleet.bot.core;

import io.imaginefleet.bot.config.BotSettings;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobEventType;
import io.imaginefleet.common.storage.BlobStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.GuildMessageChannel;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.utils.FileUpload;
import net.dv8tion.jda.api.utils.messages.MessageCreateBuilder;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns job events into what users see: progress edits (at most one per message per configured interval), the
 * final result with its image(s), parameters and buttons, or the failure in plain words — each job's final message
 * exactly once ({@link PostedLedger}). While the interaction token is fresh the original message is edited; later
 * (or after a restart) the result becomes a new channel message mentioning the requester.
 */
public final class ResultPoster {
    private static final Logger LOG = LoggerFactory.getLogger(ResultPoster.class);
    private static final int MAX_CONTENT = 2000;

    private final BotSettings settings;
    private final JobTracker tracker;
    private final JobArchive archive;
    private final PostedLedger ledger;
    private final BlobStore blobs;
    private final UsageLimits limits;
    private final BotMetrics metrics;
    private volatile JDA jda;
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread th = new Thread(r, "imagine-bot-progress");
        th.setDaemon(true);
        return th;
    });

    public ResultPoster(BotSettings settings, JobTracker tracker, JobArchive archive, PostedLedger ledger, BlobStore blobs,
                        UsageLimits limits, BotMetrics metrics) {
        this.settings = settings;
        this.tracker = tracker;
        this.archive = archive;
        this.ledger = ledger;
        this.blobs = blobs;
        this.limits = limits;
        this.metrics = metrics;
    }

    void jda(JDA jda) {
        this.jda = jda;
    }

    /** Handles one event; throws when Discord or S3 failed so the caller may retry. */
    public void handle(JobEvent e) {
        if (ledger.contains(e.jobId())) {
            metrics.duplicateEvent();
            return;
        }
        Optional<TrackedJob> t = tracker.get(e.jobId());
        switch (e.type()) {
            case ACCEPTED -> t.ifPresent(tj -> {
                tj.state(TrackedJob.State.RUNNING, "running");
                progressEdit(tj, Messages.running(tj.job(), "starting on a worker…"), null);
            });
            case PROGRESS -> t.ifPresent(tj -> {
                tj.state(TrackedJob.State.RUNNING, "step " + e.step() + "/" + e.totalSteps());
                progressEdit(tj, Messages.progress(tj.job(), nz(e.step()), nz(e.totalSteps())), e.previewKey());
            });
            case FAILED -> {
                if (Boolean.TRUE.equals(e.retryable())) {
                    t.ifPresent(tj -> progressEdit(tj, Messages.running(tj.job(), "attempt " + nz(e.attempt())
                            + " failed (" + Messages.plainReason(e.code(), e.message()) + "); retrying…"), null));
                } else {
                    finish(e, t);
                }
            }
            case COMPLETED -> finish(e, t);
        }
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    private void progressEdit(TrackedJob t, String content, String previewKey) {
        if (t.state().finished()) return;
        InteractionHook hook = t.hook(settings.interactionTokenLifetime(), Instant.now());
        if (hook == null) return;
        long interval = settings.progressEditInterval().toNanos();
        if (!t.editDue(interval)) {
            // rate-limited: keep the latest state and show it when the interval is over (if the job still runs)
            if (t.hold(content, previewKey)) {
                flusher.schedule(() -> flushHeld(t), Math.max(1, t.nanosUntilDue(interval)), TimeUnit.NANOSECONDS);
            }
            return;
        }
        edit(t, hook, content, previewKey);
    }

    private void flushHeld(TrackedJob t) {
        try {
            String[] held = t.takeHeld();
            if (held != null) progressEdit(t, held[0], held[1]);
        } catch (RuntimeException e) {
            LOG.debug("held progress edit of job {} failed: {}", t.id(), e.toString());
        }
    }

    private void edit(TrackedJob t, InteractionHook hook, String content, String previewKey) {
        MessageEditBuilder b = new MessageEditBuilder().setContent(content).setComponents(Messages.cancelRow(t.id()));
        if (previewKey != null) {
            try {
                byte[] preview = blobs.get(previewKey);
                if (preview.length <= settings.attachmentLimitBytes()) b.setFiles(FileUpload.fromData(preview, "preview.png"));
            } catch (RuntimeException ex) {
                LOG.debug("preview {} of job {} not available: {}", previewKey, t.id(), ex.toString());
            }
        }
        hook.editOriginal(b.build()).queue(ok -> { }, err -> LOG.debug("progress edit of job {} failed: {}", t.id(), err.toString()));
    }

    private void finish(JobEvent e, Optional<TrackedJob> t) {
        Optional<Job> jobOpt = t.map(TrackedJob::job).or(() -> archive.load(e.jobId()));
        if (jobOpt.isEmpty()) {
            // maybe a job another producer sent that the watcher has not archived yet: let the consumer retry
            throw new IllegalStateException(e.type().wireName() + " event for job " + e.jobId() + " that this bot has no record of");
        }
        Job job = jobOpt.get();
        if (t.isPresent() && t.get().state() == TrackedJob.State.CANCELLED) return;
        boolean ok = e.type() == JobEventType.COMPLETED;
        Rendered r = ok ? renderCompleted(job, e) : new Rendered(Messages.failed(job, e.code(), e.message(), mention(job)), List.of(), List.of());
        String messageId = deliver(t.orElse(null), job, r);
        ledger.record(job.id(), ok ? "completed" : "failed", messageId);
        t.ifPresent(tj -> tj.state(ok ? TrackedJob.State.COMPLETED : TrackedJob.State.FAILED, ok ? "done" : Messages.plainReason(e.code(), e.message())));
        if (job.requester() != null) limits.release(job.requester().userId(), job.id());
        metrics.posted(ok ? "completed" : "failed");
        LOG.info("job {} {} posted as message {}", job.id(), ok ? "result" : "failure", messageId);
    }

    private static String mention(Job job) {
        return job.requester() == null || job.requester().userId() == null ? null : "<@" + job.requester().userId() + ">";
    }

    /** A message to send: text, files, button rows. */
    record Rendered(String content, List<NamedBytes> files, List<ActionRow> rows) {}

    record NamedBytes(String name, byte[] bytes) {}

    private Rendered renderCompleted(Job job, JobEvent e) {
        List<String> keys = e.resultKeys() == null ? List.of() : e.resultKeys();
        List<byte[]> images = new ArrayList<>();
        for (String k : keys) images.add(blobs.get(k));
        String shortId = job.id().substring(0, 8);
        List<NamedBytes> files = new ArrayList<>();
        if (images.size() == 4) {
            files.add(new NamedBytes(shortId + "-grid.png", ResultImages.grid2x2(images)));
        } else {
            for (int i = 0; i < images.size(); i++) files.add(new NamedBytes(shortId + "-" + (i + 1) + ".png", images.get(i)));
        }
        long total = files.stream().mapToLong(f -> f.bytes().length).sum();
        String content = Messages.completed(job, e.seed(), mention(job));
        if (total > settings.attachmentLimitBytes()) {
            StringBuilder sb = new StringBuilder(content).append("\nToo large to attach; download (links expire in ")
                    .append(settings.presignedUrlTtl().toDays()).append(" days):");
            for (int i = 0; i < keys.size(); i++) {
                String line = "\n" + (i + 1) + ": " + blobs.presignedGet(keys.get(i), settings.presignedUrlTtl());
                if (sb.length() + line.length() > MAX_CONTENT) break;
                sb.append(line);
            }
            return new Rendered(sb.toString(), List.of(), Messages.resultRows(job));
        }
        return new Rendered(content, files, Messages.resultRows(job));
    }

    private String deliver(TrackedJob t, Job job, Rendered r) {
        InteractionHook hook = t == null ? null : t.hook(settings.interactionTokenLifetime(), Instant.now());
        List<String> mentions = job.requester() == null || job.requester().userId() == null ? List.of() : List.of(job.requester().userId());
        if (hook != null) {
            try {
                MessageEditBuilder b = new MessageEditBuilder().setContent(r.content()).setComponents(r.rows())
                        .setAllowedMentions(EnumSet.noneOf(Message.MentionType.class)).mentionUsers(mentions);
                b.setFiles(r.files().stream().map(f -> FileUpload.fromData(f.bytes(), f.name())).toList());
                return hook.editOriginal(b.build()).complete().getId();
            } catch (RuntimeException ex) {
                LOG.warn("editing the original message of job {} failed ({}); posting to the channel instead", job.id(), ex.getClass().getSimpleName());
            }
        }
        JDA j = jda;
        String channelId = job.requester() == null ? null : job.requester().channelId();
        GuildMessageChannel ch = j == null || channelId == null ? null : j.getChannelById(GuildMessageChannel.class, channelId);
        if (ch == null) throw new IllegalStateException("channel " + channelId + " of job " + job.id() + " is not available");
        MessageCreateBuilder b = new MessageCreateBuilder().setContent(r.content()).setComponents(r.rows())
                .setAllowedMentions(EnumSet.noneOf(Message.MentionType.class)).mentionUsers(mentions);
        b.setFiles(r.files().stream().map(f -> FileUpload.fromData(f.bytes(), f.name())).toList());
        return ch.sendMessage(b.build()).complete().getId();
    }

    /** Marks a tracked job cancelled in memory (its later events are not posted). */
    public void markCancelled(TrackedJob t) {
        t.state(TrackedJob.State.CANCELLED, "cancelled");
        if (t.userId() != null) limits.release(t.userId(), t.id());
    }

    /** Marks a job cancelled (once) and frees the user's slot; returns false when it had already ended. */
    public boolean cancel(Job job, String messageId) {
        if (ledger.contains(job.id())) return false;
        ledger.record(job.id(), "cancelled", messageId);
        if (job.requester() != null) limits.release(job.requester().userId(), job.id());
        try {
            blobs.put(Job.cancelMarkerKey(job.id()), new byte[0], "text/plain"); // workers stop the job when they see it
        } catch (RuntimeException ex) {
            LOG.debug("cancel marker of job {} not written: {}", job.id(), ex.toString());
        }
        metrics.posted("cancelled");
        return true;
    }

    public boolean finished(String jobId) {
        return ledger.contains(jobId);
    }

    /** Stops the held-back progress edits. */
    public void close() {
        flusher.shutdownNow();
    }
}
