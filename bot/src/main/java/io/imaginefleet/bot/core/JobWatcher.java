package io.imaginefleet.bot.core;

import io.imaginefleet.common.job.InvalidJobException;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code imagine.jobs} as its own consumer group ({@value #GROUP}; the workers' share group is unaffected) and
 * archives jobs other producers sent — an operator's replay keeps the original requester, so its result is posted
 * to the original channel like any other job. Jobs this bot submitted are already archived and skipped.
 */
public final class JobWatcher extends TopicWatcher {
    public static final String GROUP = "imagine-bot-jobs";
    private static final Logger LOG = LoggerFactory.getLogger(JobWatcher.class);
    private final JobTracker tracker;
    private final JobArchive archive;

    public JobWatcher(String bootstrap, JobTracker tracker, JobArchive archive) {
        super(bootstrap, Topics.JOBS, GROUP);
        this.tracker = tracker;
        this.archive = archive;
    }

    public JobWatcher start() {
        begin();
        return this;
    }

    @Override
    void handle(ConsumerRecord<String, byte[]> r) {
        try {
            Job job = JobCodec.decodeJob(r.value());
            if (job.requester() != null && tracker.get(job.id()).isEmpty()) archive.save(job);
        } catch (InvalidJobException e) {
            // the workers answer malformed jobs; nothing for the bot to post
        } catch (RuntimeException e) {
            LOG.warn("could not archive job {}: {}", r.key(), e.toString());
        }
    }
}
