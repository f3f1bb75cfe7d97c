package io.imaginefleet.bot.core;

import io.imaginefleet.common.kafka.KafkaSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread reading one topic as its own consumer group from the latest offset on its first start, handing each
 * record to {@link #handle} and committing after every batch. A record whose handling throws is logged and skipped,
 * so one bad record never stops the watcher.
 */
abstract class TopicWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicWatcher.class);
    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;

    TopicWatcher(String bootstrap, String topic, String group) {
        Map<String, Object> cfg = KafkaSettings.consumer(bootstrap, group, group);
        cfg.put("auto.offset.reset", "latest");
        this.topic = topic;
        this.consumer = new KafkaConsumer<>(cfg);
        this.thread = new Thread(this::run, group);
        this.thread.setDaemon(true);
    }

    /** Handles one record of the watched topic. */
    abstract void handle(ConsumerRecord<String, byte[]> record);

    /** Starts the thread; returns this. */
    TopicWatcher begin() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                var records = consumer.poll(Duration.ofMillis(300));
                assigned = !consumer.assignment().isEmpty();
                for (ConsumerRecord<String, byte[]> r : records) {
                    try {
                        handle(r);
                    } catch (RuntimeException e) {
                        LOG.warn("{}: record {} not handled: {}", thread.getName(), r.key(), e.toString());
                    }
                }
                if (!records.isEmpty()) consumer.commitSync();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("{} stopped: {}", thread.getName(), e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** True once the watcher has its partitions (records sent from now on are seen). */
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
