package io.imaginefleet.bot.core;

import io.imaginefleet.common.job.JobValidator;
import io.imaginefleet.common.storage.BlobStore;

/** Copies a user's attachment into S3 {@code inputs/{jobId}/{name}.{ext}} after the fetch and probe checks. */
public final class InputImages {
    private final AttachmentFetcher fetcher;
    private final BlobStore blobs;
    private final long maxPixels;

    public InputImages(AttachmentFetcher fetcher, BlobStore blobs, long maxPixels) {
        this.fetcher = fetcher;
        this.blobs = blobs;
        this.maxPixels = maxPixels;
    }

    /** A stored input: its S3 key and what the probe found. */
    public record Stored(String key, ImageProbe.Info info) {}

    /** Fetches {@code url} (allowed hosts only), checks it and stores it as input {@code name} of job {@code jobId}. */
    public Stored store(String jobId, String name, String url) throws InputRefusedException {
        byte[] bytes = fetcher.fetch(name, url);
        ImageProbe.Info info = ImageProbe.probe(name, bytes, maxPixels);
        String key = JobValidator.INPUT_PREFIX + jobId + "/" + name + "." + info.extension();
        blobs.put(key, bytes, info.contentType());
        return new Stored(key, info);
    }

    /** Copies an earlier result into the inputs of a new job (upscale and variation buttons). */
    public String copyResult(String resultKey, String jobId) {
        byte[] bytes = blobs.get(resultKey);
        String key = JobValidator.INPUT_PREFIX + jobId + "/image.png";
        blobs.put(key, bytes, "image/png");
        return key;
    }

    /** Whether a URL is on an allowed host (checked before acknowledging, no network). */
    public boolean allowed(String url) {
        return fetcher.allowed(url);
    }

    /** A multiple of 8 not above {@code side} (the engine's size snapping). */
    public static int floor8(int side) {
        return Math.max(8, side - side % 8);
    }
}
