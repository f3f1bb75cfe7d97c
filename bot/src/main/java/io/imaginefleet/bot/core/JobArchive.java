package io.imaginefleet.bot.core;

import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.storage.BlobStore;
import io.imaginefleet.common.storage.BlobStoreException;
import java.util.Optional;

/**
 * The bot's copy of every job it (or an operator tool) submitted, at S3 {@code jobs/{jobId}.json}: lets a restarted
 * bot post a result to the right channel and mention the right user, and lets buttons on old messages rebuild the
 * job (upscale, vary, reroll). Holds no secret: jobs never carry tokens. Tools that publish jobs for the bot to post
 * (e.g. a replay) should {@link #save} them too.
 */
public final class JobArchive {
    public static final String PREFIX = "jobs/";
    private final BlobStore blobs;

    public JobArchive(BlobStore blobs) {
        this.blobs = blobs;
    }

    public static String key(String jobId) {
        return PREFIX + jobId + ".json";
    }

    public void save(Job job) {
        blobs.put(key(job.id()), JobCodec.encode(job), "application/json");
    }

    public Optional<Job> load(String jobId) {
        try {
            return Optional.of(JobCodec.decodeJob(blobs.get(key(jobId))));
        } catch (BlobStoreException e) {
            if (e.isNotFound()) return Optional.empty();
            throw e;
        }
    }
}
