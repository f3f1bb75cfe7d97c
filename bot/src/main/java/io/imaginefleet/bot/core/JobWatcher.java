package io.imaginefleet.bot.core;

import io.imaginefleet.common.job.InvalidJobException;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code imagine.jobs} as its own consumer group ({@value #GROUP}; the workers' share group is unaffected) and
 * archives jobs other producers sent — an operator's replay keeps the original requester, so its result is posted
 * to the original channel like any other job. Jobs this bot submitted are already archived and skipped.
 */
public final class JobWatcher implements AutoCloseable {
    public static final String GROUP = "imagine-bot-jobs";
    private static final Logger LOG = LoggerFactory.getLogger(JobWatcher.class);
    private final KafkaConsumer<String, byte[]> consumer;
    private final JobTracker tracker;
    private final JobArchive archive;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;

    public JobWatcher(String bootstrap, JobTracker tracker, JobArchive archive) {
        Map<String, Object> cfg = KafkaSettings.consumer(bootstrap, GROUP, "imagine-bot-jobs");
        cfg.put("auto.offset.reset", "latest");
        this.consumer = new KafkaConsumer<>(cfg);
        this.tracker = tracker;
        this.archive = archive;
        this.thread = new Thread(this::run, "imagine-bot-jobs");
        this.thread.setDaemon(true);
    }

    public JobWatcher start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.JOBS));
            while (running) {
                var records = consumer.poll(Duration.ofMillis(300));
                assigned = !consumer.assignment().isEmpty();
                for (ConsumerRecord<String, byte[]> r : records) {
                    try {
                        Job job = JobCodec.decodeJob(r.value());
                        if (job.requester() != null && tracker.get(job.id()).isEmpty()) archive.save(job);
                    } catch (InvalidJobException e) {
                        // the workers answer malformed jobs; nothing for the bot to post
                    } catch (RuntimeException e) {
                        LOG.warn("could not archive job {}: {}", r.key(), e.toString());
                    }
                }
                if (!records.isEmpty()) consumer.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("jobs watcher stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** True once the watcher has its partitions (jobs sent from now on are seen). */
    public boolean assigned() {
        return assigned;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
