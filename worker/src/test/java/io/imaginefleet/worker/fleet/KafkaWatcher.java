package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobEventType;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Reads every record of {@code imagine.jobs}, {@code imagine.events} and {@code dlq.imagine.jobs} from the
 * beginning on a background thread, so tests can wait for events and scan every record for secrets.
 */
final class KafkaWatcher implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final List<ConsumerRecord<String, byte[]>> records = new CopyOnWriteArrayList<>();
    private final List<JobEvent> events = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    KafkaWatcher(String bootstrap) {
        consumer = new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, null, "watcher"));
        List<TopicPartition> tps = new ArrayList<>();
        for (String t : List.of(Topics.JOBS, Topics.EVENTS, Topics.DLQ)) {
            consumer.partitionsFor(t).forEach(p -> tps.add(new TopicPartition(t, p.partition())));
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        thread = new Thread(this::loop, "kafka-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    records.add(r);
                    if (r.topic().equals(Topics.EVENTS)) {
                        events.add(JobCodec.decodeEvent(r.value()));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    List<JobEvent> events(String jobId) {
        return events.stream().filter(e -> e.jobId().equals(jobId)).collect(Collectors.toList());
    }

    List<JobEvent> allEvents() {
        return List.copyOf(events);
    }

    JobEvent await(String jobId, JobEventType type, Duration timeout) {
        return awaitEvent(e -> e.jobId().equals(jobId) && e.type() == type, timeout, jobId + " " + type);
    }

    JobEvent awaitEvent(Predicate<JobEvent> p, Duration timeout, String what) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (JobEvent e : events) {
                if (p.test(e)) {
                    return e;
                }
            }
            sleep(20);
        }
        throw new AssertionError("no event " + what + " within " + timeout + "; events seen: " + events.size());
    }

    ConsumerRecord<String, byte[]> awaitDlq(String key, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            for (ConsumerRecord<String, byte[]> r : records) {
                if (r.topic().equals(Topics.DLQ) && key.equals(r.key())) {
                    return r;
                }
            }
            sleep(20);
        }
        throw new AssertionError("no DLQ record for " + key + " within " + timeout);
    }

    List<ConsumerRecord<String, byte[]>> dlq(String key) {
        return records.stream().filter(r -> r.topic().equals(Topics.DLQ) && key.equals(r.key())).collect(Collectors.toList());
    }

    /** Every record value, key and header seen so far, as text. */
    List<String> allRecordTexts() {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            out.add(r.topic() + " " + r.key() + " " + (r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8)));
            r.headers().forEach(h -> out.add(h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8)));
        }
        return out;
    }

    Map<String, String> headers(ConsumerRecord<String, byte[]> r) {
        return java.util.stream.StreamSupport.stream(r.headers().spliterator(), false)
                .collect(Collectors.toMap(h -> h.key(), h -> new String(h.value(), StandardCharsets.UTF_8), (a, b) -> b));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
