package io.imaginefleet.bot.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lists the failed jobs in {@code dlq.imagine.jobs}. The DLQ is read end to end without a consumer group, so
 * listing is repeatable and leaves no trace. A job that failed more than once (e.g. a replay that failed again
 * under the same id after redelivery) is listed once, with its latest record.
 */
public final class DlqReader {

    private final TopicScanner scanner;
    private final String topic;

    public DlqReader(TopicScanner scanner) {
        this(scanner, OpsContract.DLQ);
    }

    public DlqReader(TopicScanner scanner, String topic) {
        this.scanner = scanner;
        this.topic = topic;
    }

    /** The matching records, oldest failure first. */
    public List<DlqRecord> list(DlqFilter filter) {
        Map<String, DlqRecord> latest = new LinkedHashMap<>();
        scanner.scan(topic, r -> {
            DlqRecord d = DlqRecord.from(r);
            if (filter.matches(d)) {
                latest.put(d.jobId(), d);
            }
        });
        List<DlqRecord> out = new ArrayList<>(latest.values());
        out.sort(Comparator.comparing(DlqRecord::failedAt).thenComparing(DlqRecord::jobId));
        return out;
    }

    /** The latest DLQ record of one job (only the key's partition is read). */
    public Optional<DlqRecord> show(String jobId) {
        DlqRecord[] found = new DlqRecord[1];
        scanner.scan(topic, jobId, r -> {
            DlqRecord d = DlqRecord.from(r);
            if (jobId.equals(d.jobId())) {
                found[0] = d;
            }
        });
        return Optional.ofNullable(found[0]);
    }
}
