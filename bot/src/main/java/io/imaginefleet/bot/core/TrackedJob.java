package io.imaginefleet.bot.core;

import io.imaginefleet.common.job.Job;
import java.time.Instant;
import net.dv8tion.jda.api.interactions.InteractionHook;

/**
 * A job this bot submitted (or learned about), with the interaction hook that edits its message. The hook —
 * which holds the interaction token — lives only here, in memory, and is dropped when the job ends.
 */
public final class TrackedJob {

    /** Where a job stands as far as the bot knows. */
    public enum State { QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED;
        public boolean finished() { return this == COMPLETED || this == FAILED || this == CANCELLED; }
    }

    private final Job job;
    private volatile InteractionHook hook;
    private final Instant hookAt;
    private volatile State state = State.QUEUED;
    private volatile long lastEditNanos;
    private volatile String detail = "";

    public TrackedJob(Job job, InteractionHook hook, Instant hookAt) {
        this.job = job;
        this.hook = hook;
        this.hookAt = hookAt;
    }

    public Job job() { return job; }
    public String id() { return job.id(); }
    public String userId() { return job.requester() == null ? null : job.requester().userId(); }
    public State state() { return state; }
    public String detail() { return detail; }

    /** The hook while its token is younger than {@code lifetime}, else null. */
    public InteractionHook hook(java.time.Duration lifetime, Instant now) {
        InteractionHook h = hook;
        return h != null && hookAt != null && now.isBefore(hookAt.plus(lifetime)) ? h : null;
    }

    synchronized void state(State s, String detail) {
        if (state.finished()) return;
        state = s;
        this.detail = detail == null ? "" : detail;
        if (s.finished()) hook = null; // forget the token as soon as the job is over
    }

    private String[] pending; // {content, previewKey} of a progress edit held back by the rate limit
    private boolean flushScheduled;

    /** Holds back a progress edit; returns true when the caller must schedule a flush. */
    synchronized boolean hold(String content, String previewKey) {
        pending = new String[] {content, previewKey};
        if (flushScheduled) return false;
        flushScheduled = true;
        return true;
    }

    /** The held-back edit (or null), clearing it. */
    synchronized String[] takeHeld() {
        flushScheduled = false;
        String[] p = pending;
        pending = null;
        return p;
    }

    /** Nanoseconds until the next edit is allowed. */
    synchronized long nanosUntilDue(long intervalNanos) {
        return lastEditNanos == 0 ? 0 : Math.max(0, intervalNanos - (System.nanoTime() - lastEditNanos));
    }

    /** True (and the clock restarts) when at least {@code intervalNanos} passed since the last edit. */
    synchronized boolean editDue(long intervalNanos) {
        long now = System.nanoTime();
        if (lastEditNanos != 0 && now - lastEditNanos < intervalNanos) return false;
        lastEditNanos = now;
        return true;
    }
}
