package io.imaginefleet.common.storage;

/**
 * A blob store operation failed. {@link #isTransient()} is true when retrying later may succeed (connection refused,
 * timeouts, 5xx, throttling); false for a missing object, access denied or a bad request.
 */
public class BlobStoreException extends RuntimeException {
    private final boolean transientFailure;
    private final boolean notFound;

    public BlobStoreException(String message, Throwable cause, boolean transientFailure, boolean notFound) {
        super(message, cause);
        this.transientFailure = transientFailure;
        this.notFound = notFound;
    }

    public boolean isTransient() {
        return transientFailure;
    }

    public boolean isNotFound() {
        return notFound;
    }
}
