package io.imaginefleet.worker.fleet;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobKind;
import io.imaginefleet.common.retry.TransientRetry;
import io.imaginefleet.common.storage.BlobStore;
import io.imaginefleet.common.storage.BlobStoreException;
import io.imaginefleet.engine.pipeline.GenerationRequest;
import io.imaginefleet.engine.pipeline.GenerationResult;
import io.imaginefleet.engine.pipeline.ImageInput;
import io.imaginefleet.engine.pipeline.ImageInputException;
import io.imaginefleet.engine.pipeline.PngWriter;
import io.imaginefleet.engine.pipeline.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Runs one decoded, validated job: publishes {@code accepted}, fetches and decodes inputs from S3, calls the engine
 * with {@code progress} events every few steps, uploads {@code results/{jobId}/{i}.png}, publishes {@code completed}
 * (waiting for the broker) and returns the {@link JobOutcome} that decides the acknowledgement. Never throws for a
 * job's fault.
 */
public final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final SecureRandom SEEDS = new SecureRandom();

    /** How often a running job looks for its cancel marker (one S3 HEAD). */
    static final Duration CANCEL_CHECK_INTERVAL = Duration.ofSeconds(2);
    private final ImageEngine engine;
    private final BlobStore blobs;
    private final EventPublisher events;
    private final String workerId;
    private final int progressEvery;
    private final Duration eventTimeout;
    private final long maxInputPixels;
    private final FleetObserver observer;

    /** How long a finished image's upload may wait for S3 (retried with backoff) before the job is released. */
    static final Duration UPLOAD_WINDOW = Duration.ofSeconds(30);

    public JobRunner(ImageEngine engine, BlobStore blobs, EventPublisher events, String workerId, int progressEvery,
                     Duration eventTimeout, long maxInputPixels, FleetObserver observer) {
        this.engine = engine;
        this.blobs = blobs;
        this.events = events;
        this.workerId = workerId;
        this.progressEvery = Math.max(1, progressEvery);
        this.eventTimeout = eventTimeout;
        this.maxInputPixels = maxInputPixels;
        this.observer = observer;
    }

    /**
     * @param pickedUp when the worker received the record (for the queue-wait timing)
     * @param queuedAt when the record was produced
     * @param stop     polled at every step: true cancels the generation ({@link JobOutcome.Cancelled})
     * @param timings  filled with phase timings in ms (queue, inputs, text, denoise, decode, engine, encode, upload)
     */
    public JobOutcome run(Job job, int attempt, Instant queuedAt, Instant pickedUp, BooleanSupplier stop, Map<String, Long> timings) {
        timings.put("queue", Math.max(0, Duration.between(queuedAt, pickedUp).toMillis()));
        events.publish(JobEvent.accepted(job.id(), workerId, attempt));

        if (!engine.models().contains(job.model())) {
            return new JobOutcome.Permanent(FailureCode.UNKNOWN_MODEL, "model: unknown model '" + job.model()
                    + "' (this fleet serves: " + String.join(", ", engine.models().stream().sorted().toList()) + ")");
        }
        GenerationRequest.Mode mode = GenerationRequest.Mode.valueOf(job.kind().name());
        if (!engine.modes(job.model()).contains(mode)) {
            return new JobOutcome.Permanent(FailureCode.INVALID, "kind: model '" + job.model() + "' cannot do "
                    + job.kind().wireName() + " (it supports: " + engine.modes(job.model()).stream()
                    .map(m -> m.name().toLowerCase(java.util.Locale.ROOT)).sorted().toList() + ")");
        }

        CancelMarker marker = new CancelMarker(blobs, job.id());
        if (marker.present()) {
            return new JobOutcome.Withdrawn();
        }
        long t0 = System.nanoTime();
        BufferedImage init;
        BufferedImage mask;
        try {
            init = job.inputImage() == null ? null : ImageInput.decode(fetch("inputImage", job.inputImage()), "inputImage", maxInputPixels);
            mask = job.maskImage() == null ? null : ImageInput.decode(fetch("maskImage", job.maskImage()), "maskImage", maxInputPixels);
        } catch (ImageInputException e) {
            return new JobOutcome.Permanent(FailureCode.BAD_INPUT, e.getMessage());
        } catch (BlobStoreException e) {
            return new JobOutcome.Transient(FailureCode.UNAVAILABLE, "could not read the input image from S3 (" + e.getMessage() + ")", e);
        }
        timings.put("inputs", ms(t0));

        long seed = job.seed() != null ? job.seed() : SEEDS.nextLong() & ((1L << 53) - 1);
        double strength = job.strength() != null ? job.strength() : (job.kind() == JobKind.INPAINT ? 1.0 : 0.0);
        int noise = job.noiseLevel() != null ? job.noiseLevel() : 20;
        GenerationRequest req = new GenerationRequest(mode, job.prompt(), job.negativePrompt() == null ? "" : job.negativePrompt(),
                job.width(), job.height(), job.steps(), job.guidance(), job.scheduler(), seed, job.count(), strength, init, mask, noise);

        ProgressListener progress = (step, total) -> {
            if (stop.getAsBoolean()) {
                throw new CancellationException("worker shutting down");
            }
            if (marker.checkEvery(CANCEL_CHECK_INTERVAL)) {
                throw new CancelMarker.Withdrawn();
            }
            if (step % progressEvery == 0 && step < total) {
                events.publish(JobEvent.progress(job.id(), workerId, step, total, null));
            }
        };
        long t1 = System.nanoTime();
        GenerationResult result;
        try {
            result = engine.generate(job.model(), req, progress);
        } catch (CancelMarker.Withdrawn e) {
            return new JobOutcome.Withdrawn();
        } catch (CancellationException e) {
            return new JobOutcome.Cancelled();
        } catch (ImageInputException e) {
            return new JobOutcome.Permanent(FailureCode.BAD_INPUT, String.valueOf(e.getMessage()));
        } catch (IllegalArgumentException e) {
            return new JobOutcome.Permanent(FailureCode.INVALID, String.valueOf(e.getMessage()));
        } catch (OutOfMemoryError e) {
            return new JobOutcome.Transient(FailureCode.ENGINE_ERROR, "out of memory while generating", e);
        } catch (RuntimeException e) {
            LOG.warn("engine failed on job {}: {}", job.id(), e.toString());
            return new JobOutcome.Transient(FailureCode.ENGINE_ERROR, "the engine failed: " + e.getClass().getSimpleName(), e);
        }
        long engineMs = ms(t1);
        timings.put("engine", engineMs);
        result.timingsMillis().forEach((k, v) -> timings.put(k, v));
        if (engineMs > 0) {
            long denoise = timings.getOrDefault("denoise", engineMs);
            observer.stepsPerSecond(job.steps() * 1000.0 / Math.max(1, denoise));
        }

        long t2 = System.nanoTime();
        List<byte[]> pngs = new ArrayList<>();
        for (int i = 0; i < result.images().size(); i++) {
            String params = result.parameters() != null && i < result.parameters().size() ? result.parameters().get(i) : null;
            pngs.add(PngWriter.toBytes(result.images().get(i), params));
        }
        timings.put("encode", ms(t2));

        long t3 = System.nanoTime();
        List<String> keys = new ArrayList<>();
        try {
            for (int i = 0; i < pngs.size(); i++) {
                String key = Job.resultKey(job.id(), i);
                byte[] png = pngs.get(i);
                // the image is made: ride out an S3 blip here rather than release the job and generate it again
                Failsafe.with(TransientRetry.policy(UPLOAD_WINDOW, "job " + job.id() + ": storing the result", LOG, () -> false))
                        .run(() -> blobs.put(key, png, "image/png"));
                keys.add(key);
            }
        } catch (BlobStoreException e) {
            return new JobOutcome.Transient(FailureCode.UNAVAILABLE, "could not store the result in S3 (" + e.getMessage() + ")", e);
        } catch (FailsafeException e) {
            return new JobOutcome.Transient(FailureCode.UNAVAILABLE, "interrupted while storing the result in S3", e);
        }
        timings.put("upload", ms(t3));
        timings.put("total", Math.max(0, Duration.between(pickedUp, Instant.now()).toMillis()));

        Map<String, Long> reported = new LinkedHashMap<>(timings);
        try {
            long t4 = System.nanoTime();
            events.publishAndWait(JobEvent.completed(job.id(), workerId, keys, result.seed(), reported,
                    result.parameters(), attempt), eventTimeout);
            timings.put("event", ms(t4));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new JobOutcome.Transient(FailureCode.UNAVAILABLE, "interrupted while publishing the completed event", e);
        } catch (Exception e) {
            return new JobOutcome.Transient(FailureCode.UNAVAILABLE, "could not publish the completed event (" + e.getClass().getSimpleName() + ")", e);
        }
        return new JobOutcome.Completed(keys.size());
    }

    private byte[] fetch(String field, String key) {
        try {
            return blobs.get(key);
        } catch (BlobStoreException e) {
            if (e.isNotFound()) {
                throw new ImageInputException(field + ": no object '" + key + "' in the bucket");
            }
            throw e;
        }
    }

    private static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
