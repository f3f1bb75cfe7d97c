package io.imaginefleet.bot.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-user limits: unfinished jobs at once and jobs per rolling hour. In memory (a restarted bot forgets the
 * counts; the hourly window is short enough that this is acceptable).
 */
public final class UsageLimits {
    private final int maxConcurrent;
    private final int maxPerHour;
    private final Map<String, Usage> users = new ConcurrentHashMap<>();

    private record Submission(String jobId, Instant at) {}

    private static final class Usage {
        final Set<String> active = new HashSet<>();
        final Deque<Submission> submitted = new ArrayDeque<>();
    }

    public UsageLimits(int maxConcurrent, int maxPerHour) {
        this.maxConcurrent = maxConcurrent;
        this.maxPerHour = maxPerHour;
    }

    /** Takes a slot for {@code jobId}, or says in plain words why not. */
    public Optional<String> tryAcquire(String userId, String jobId, Instant now) {
        Usage u = users.computeIfAbsent(userId, k -> new Usage());
        synchronized (u) {
            while (!u.submitted.isEmpty() && u.submitted.peekFirst().at().isBefore(now.minus(Duration.ofHours(1)))) u.submitted.pollFirst();
            if (u.active.size() >= maxConcurrent) {
                return Optional.of("You already have " + u.active.size() + " job" + (u.active.size() == 1 ? "" : "s")
                        + " running (limit " + maxConcurrent + "). Wait for one to finish or cancel it with ❌.");
            }
            if (u.submitted.size() >= maxPerHour) {
                Instant free = u.submitted.peekFirst().at().plus(Duration.ofHours(1));
                long minutes = Math.max(1, Duration.between(now, free).toMinutes());
                return Optional.of("You reached the limit of " + maxPerHour + " jobs per hour. Try again in about "
                        + minutes + " minute" + (minutes == 1 ? "" : "s") + ".");
            }
            u.active.add(jobId);
            u.submitted.addLast(new Submission(jobId, now));
            return Optional.empty();
        }
    }

    /** Frees the slot of a job that was never submitted and takes it off the hourly count. */
    public void abort(String userId, String jobId) {
        if (userId == null) return;
        Usage u = users.get(userId);
        if (u != null) synchronized (u) {
            u.active.remove(jobId);
            u.submitted.removeIf(x -> x.jobId().equals(jobId));
        }
    }

    /** Frees the slot of a finished or cancelled job. */
    public void release(String userId, String jobId) {
        if (userId == null) return;
        Usage u = users.get(userId);
        if (u != null) synchronized (u) { u.active.remove(jobId); }
    }
}
