package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.storage.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CancellationException;

/**
 * A job's cancel marker ({@link Job#cancelMarkerKey}), which the bot writes when the requester presses ❌. Checked
 * once before a job runs and then at most every few seconds between denoising steps; when S3 cannot be asked, the
 * job goes on (a cancel is best effort, a lost job is not).
 */
final class CancelMarker {
    private static final Logger LOG = LoggerFactory.getLogger(CancelMarker.class);

    /** Thrown from a progress callback to stop a job its requester cancelled. */
    static final class Withdrawn extends CancellationException {
        Withdrawn() {
            super("cancelled by the requester");
        }
    }

    private final BlobStore blobs;
    private final String key;
    private long lastCheck = System.nanoTime();

    CancelMarker(BlobStore blobs, String jobId) {
        this.blobs = blobs;
        this.key = Job.cancelMarkerKey(jobId);
    }

    /** Whether the marker exists now. */
    boolean present() {
        lastCheck = System.nanoTime();
        try {
            return blobs.exists(key);
        } catch (RuntimeException e) {
            LOG.debug("could not check {}: {}", key, e.toString());
            return false;
        }
    }

    /** {@link #present()} when {@code interval} has passed since the last check, else false. */
    boolean checkEvery(Duration interval) {
        return System.nanoTime() - lastCheck >= interval.toNanos() && present();
    }
}
