package io.imaginefleet.bot.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The jobs this bot process knows about, by id (memory only: a restarted bot starts empty). */
public final class JobTracker {
    private static final int KEEP_FINISHED = 500;
    private final Map<String, TrackedJob> jobs = new ConcurrentHashMap<>();

    public void track(TrackedJob t) {
        jobs.put(t.id(), t);
        if (jobs.size() > KEEP_FINISHED * 2) prune();
    }

    public Optional<TrackedJob> get(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    /** 1 + the number of queued jobs submitted before this one. */
    public int queuePosition(TrackedJob t) {
        int ahead = 0;
        for (TrackedJob o : jobs.values()) {
            if (o != t && o.state() == TrackedJob.State.QUEUED && o.job().createdAt().isBefore(t.job().createdAt())) ahead++;
        }
        return ahead + 1;
    }

    /** A user's most recent jobs, newest first. */
    public List<TrackedJob> recent(String userId, int max) {
        return jobs.values().stream().filter(t -> userId.equals(t.userId()))
                .sorted(Comparator.comparing((TrackedJob t) -> t.job().createdAt()).reversed()).limit(max).toList();
    }

    /** Jobs not finished yet. */
    public long inFlight() {
        return jobs.values().stream().filter(t -> !t.state().finished()).count();
    }

    private void prune() {
        List<TrackedJob> finished = new ArrayList<>(jobs.values().stream().filter(t -> t.state().finished()).toList());
        finished.sort(Comparator.comparing(t -> t.job().createdAt()));
        for (int i = 0; i < finished.size() - KEEP_FINISHED; i++) jobs.remove(finished.get(i).id());
    }
}
