package io.imaginefleet.bot.ops;

import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * Which DLQ records an operator means. Every criterion is optional (null or empty = any); all given ones must
 * match. Error class and model match case-insensitively; the time range is {@code since <= failedAt < until}.
 */
public record DlqFilter(Set<String> jobIds, Instant since, Instant until, String userId, String errorClass, String model) {

    /** Matches everything. */
    public static final DlqFilter ALL = new DlqFilter(Set.of(), null, null, null, null, null);

    public DlqFilter {
        jobIds = jobIds == null ? Set.of() : Set.copyOf(jobIds);
    }

    /** Only the given job ids. */
    public static DlqFilter ofIds(Set<String> ids) {
        return new DlqFilter(ids, null, null, null, null, null);
    }

    /** Whether no criterion is set (a replay of "everything" needs an explicit choice). */
    public boolean isEmpty() {
        return jobIds.isEmpty() && since == null && until == null && blank(userId) && blank(errorClass) && blank(model);
    }

    public boolean matches(DlqRecord r) {
        if (!jobIds.isEmpty() && !jobIds.contains(r.jobId())) {
            return false;
        }
        if (since != null && r.failedAt().isBefore(since)) {
            return false;
        }
        if (until != null && !r.failedAt().isBefore(until)) {
            return false;
        }
        if (!blank(userId) && !userId.equals(r.userId())) {
            return false;
        }
        if (!blank(errorClass) && !errorClass.toLowerCase(Locale.ROOT).equals(r.errorClass().toLowerCase(Locale.ROOT))) {
            return false;
        }
        return blank(model) || model.equalsIgnoreCase(r.model());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
