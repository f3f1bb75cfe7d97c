package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.InvalidJobException;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobValidator;
import io.imaginefleet.common.kafka.Topics;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The worker's job intake: a {@link ShareConsumer} in the share group {@code imagine-workers} with explicit
 * acknowledgement, one job at a time. While the engine runs (on its own thread) this thread renews the record's
 * acquisition lock ({@link AcknowledgeType#RENEW} sent by {@code commitSync}; the renewed record comes back through
 * {@code poll} and only that new instance can be acknowledged; any other record a renew-poll delivers is released).
 * Outcomes: completed → ACCEPT (after the result is stored and the completed event acknowledged by the broker);
 * transient failure → {@code failed} event with retryable=true and RELEASE; permanent failure, or a transient one
 * on the last allowed attempt, or a delivery past {@code maxAttempts} → {@code failed} event, DLQ record with error
 * headers, then ACCEPT (settled; REJECT would have the broker dead-letter it a second time). A record that does not
 * decode is handled as a permanent failure and never stops the loop.
 * {@link #requestStop(Duration)} drains: no new jobs, the one in hand may finish within the grace period, else it is
 * cancelled and released.
 */
public final class JobConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobConsumer.class);
    private static final Pattern SAFE_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    /** Tuning of the intake loop. */
    public record Settings(String workerId, int maxAttempts, Duration pollTimeout, Duration kafkaTimeout, Duration defaultDrainGrace) {
        public static Settings defaults(String workerId) {
            return new Settings(workerId, 4, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(60));
        }
    }

    private final ShareConsumer<String, byte[]> consumer;
    private final JobRunner runner;
    private final EventPublisher events;
    private final DeadLetterWriter dlq;
    private final JobValidator validator;
    private final Settings settings;
    private final FleetObserver observer;
    private final ExecutorService engineThread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean cancelJob;
    private volatile long drainDeadlineNanos = Long.MAX_VALUE;
    private volatile boolean busy;
    private volatile Instant lastPoll = Instant.EPOCH;
    private Thread thread;

    public JobConsumer(ShareConsumer<String, byte[]> consumer, JobRunner runner, EventPublisher events, DeadLetterWriter dlq,
                       JobValidator validator, Settings settings, FleetObserver observer) {
        this.consumer = consumer;
        this.runner = runner;
        this.events = events;
        this.dlq = dlq;
        this.validator = validator;
        this.settings = settings;
        this.observer = observer;
        this.engineThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "engine-" + settings.workerId());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the intake loop on its own (non-daemon) thread. */
    public synchronized JobConsumer start() {
        if (thread == null) {
            thread = new Thread(this::loop, "job-consumer-" + settings.workerId());
            thread.start();
        }
        return this;
    }

    /** True while a job is in hand. */
    public boolean isBusy() {
        return busy;
    }

    /** When the loop last returned from {@code poll} (liveness). */
    public Instant lastPoll() {
        return lastPoll;
    }

    public boolean isRunning() {
        return running && stopped.getCount() > 0;
    }

    /**
     * Stops taking jobs; the job in hand may finish within {@code grace}, after that it is cancelled and released.
     * Returns at once; see {@link #awaitStopped(Duration)}.
     */
    public void requestStop(Duration grace) {
        drainDeadlineNanos = System.nanoTime() + grace.toNanos();
        running = false;
        consumer.wakeup();
    }

    /** Waits until the loop has settled its job and closed the consumer. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        requestStop(Duration.ZERO);
        try {
            awaitStopped(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(Topics.JOBS));
            while (running) {
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(settings.pollTimeout());
                } catch (WakeupException e) {
                    continue;
                }
                lastPoll = Instant.now();
                List<ConsumerRecord<String, byte[]>> list = new ArrayList<>();
                records.forEach(list::add);
                for (int i = 0; i < list.size(); i++) {
                    if (i == 0 && running) {
                        handle(list.get(0));
                    } else {
                        acknowledge(list.get(i), AcknowledgeType.RELEASE);
                    }
                }
            }
        } catch (KafkaException e) {
            LOG.error("job intake stopped by a Kafka error: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.error("job intake stopped by an unexpected error", e);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn("closing the share consumer failed: {}", e.toString());
            }
            engineThread.shutdownNow();
            running = false;
            stopped.countDown();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        Instant pickedUp = Instant.now();
        int attempt = deliveries(record);
        Job job;
        try {
            job = JobCodec.decodeJob(record.value());
            validator.validate(job);
        } catch (InvalidJobException e) {
            String id = Optional.ofNullable(JobCodec.peekId(record.value())).orElseGet(() -> safeKey(record.key()));
            permanent(record, id, e.code(), e.getMessage(), attempt, new LinkedHashMap<>());
            return;
        }
        if (attempt > settings.maxAttempts()) {
            deliveryLimit(record, attempt);
            return;
        }
        if (JobValidator.expired(job, pickedUp)) {
            permanent(record, job.id(), FailureCode.EXPIRED, "deadline: the job's deadline " + job.deadline() + " passed before it could run",
                    attempt, new LinkedHashMap<>());
            return;
        }
        LOG.info("job {} picked up (attempt {}, {} {}×{} {} steps)", job.id(), attempt, job.kind().wireName(),
                job.width(), job.height(), job.steps());
        busy = true;
        observer.busy(true);
        cancelJob = false;
        Map<String, Long> timings = new LinkedHashMap<>();
        Instant queuedAt = record.timestamp() > 0 ? Instant.ofEpochMilli(record.timestamp()) : job.createdAt();
        Future<JobOutcome> future = engineThread.submit(() -> runner.run(job, attempt, queuedAt, pickedUp, () -> cancelJob, timings));
        ConsumerRecord<String, byte[]> held = record;
        long renewMs = renewIntervalMs();
        JobOutcome outcome;
        while (true) {
            try {
                outcome = future.get(renewMs, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                if (!running && System.nanoTime() > drainDeadlineNanos) {
                    cancelJob = true;
                }
                held = renew(held, record);
            } catch (ExecutionException e) {
                outcome = new JobOutcome.Transient(FailureCode.ENGINE_ERROR, "the worker failed: " + e.getCause().getClass().getSimpleName(), e.getCause());
                break;
            } catch (InterruptedException e) {
                cancelJob = true;
                Thread.currentThread().interrupt();
                outcome = new JobOutcome.Cancelled();
                break;
            }
        }
        if (held == null) {
            held = findRenewed(record, 3000);
        }
        try {
            settle(held, job, outcome, attempt, timings);
        } finally {
            busy = false;
            observer.busy(false);
        }
    }

    private void settle(ConsumerRecord<String, byte[]> held, Job job, JobOutcome outcome, int attempt, Map<String, Long> timings) {
        if (outcome instanceof JobOutcome.Completed c) {
            acknowledge(held, AcknowledgeType.ACCEPT);
            LOG.info("job {} completed: {} image(s), timings {}", job.id(), c.images(), timings);
            observer.jobFinished("completed", null, timings);
        } else if (outcome instanceof JobOutcome.Permanent p) {
            permanent(held, job.id(), p.code(), p.message(), attempt, timings);
        } else if (outcome instanceof JobOutcome.Transient t) {
            if (attempt >= settings.maxAttempts()) {
                permanent(held, job.id(), t.code(), t.message() + " (gave up after " + attempt + " attempts)", attempt, timings);
            } else {
                LOG.warn("job {} failed transiently (attempt {}): {}", job.id(), attempt, t.message());
                events.publish(JobEvent.failed(job.id(), settings.workerId(), t.code(), t.message(), true, attempt));
                acknowledge(held, AcknowledgeType.RELEASE);
                observer.jobFinished("released", t.code(), timings);
            }
        } else if (outcome instanceof JobOutcome.Withdrawn) {
            LOG.info("job {} cancelled by its requester; stopped (timings {})", job.id(), timings);
            events.publish(JobEvent.failed(job.id(), settings.workerId(), FailureCode.CANCELLED, "cancelled by the requester", false, attempt));
            acknowledge(held, AcknowledgeType.ACCEPT);
            observer.jobFinished("cancelled", FailureCode.CANCELLED, timings);
        } else {
            LOG.info("job {} cancelled by shutdown; released for another worker", job.id());
            acknowledge(held, AcknowledgeType.RELEASE);
            observer.jobFinished("cancelled", null, timings);
        }
    }

    /**
     * A record delivered more than {@code maxAttempts} times is dead-lettered by whichever poll acquired it (the job loop
     * or a lock renewal): the broker archives a record silently once its delivery count reaches the share group's limit,
     * so workers settle it one delivery before that ({@link #effectiveMaxAttempts}).
     */
    private void deliveryLimit(ConsumerRecord<String, byte[]> record, int attempt) {
        String id = Optional.ofNullable(JobCodec.peekId(record.value())).orElseGet(() -> safeKey(record.key()));
        permanent(record, id, FailureCode.DELIVERY_LIMIT, "gave up after " + (attempt - 1)
                + " deliveries: workers crashed or timed out while running this job", attempt, new LinkedHashMap<>());
    }

    /**
     * The attempt limit workers can honour: {@code configured}, but below the share group's delivery count limit
     * ({@code share.delivery.count.limit}; null when unknown), since a record released at that limit is archived by the
     * broker without any event — the job would be lost without a word.
     */
    public static int effectiveMaxAttempts(int configured, Integer groupDeliveryLimit) {
        if (groupDeliveryLimit == null || groupDeliveryLimit < 2) {
            return configured;
        }
        return Math.max(1, Math.min(configured, groupDeliveryLimit - 1));
    }

    /** failed event (retryable=false) + DLQ record + ACCEPT; when Kafka cannot take them, RELEASE so the job is not lost. */
    private void permanent(ConsumerRecord<String, byte[]> record, String jobId, String code, String message, int attempt,
                           Map<String, Long> timings) {
        try {
            if (jobId != null) {
                events.publishAndWait(JobEvent.failed(jobId, settings.workerId(), code, message, false, attempt), settings.kafkaTimeout());
            }
            dlq.write(record, jobId, code, message, attempt, settings.kafkaTimeout());
        } catch (Exception e) {
            LOG.warn("could not record the failure of job {} ({}); releasing it", jobId, e.toString());
            acknowledge(record, AcknowledgeType.RELEASE);
            observer.jobFinished("released", FailureCode.UNAVAILABLE, timings);
            return;
        }
        LOG.warn("job {} failed permanently ({}): {}", jobId, code, message);
        // settled: the failure is recorded (event + our DLQ record); REJECT would make the broker dead-letter it again
        acknowledge(record, AcknowledgeType.ACCEPT);
        observer.jobFinished("failed", code, timings);
    }

    private void acknowledge(ConsumerRecord<String, byte[]> record, AcknowledgeType type) {
        if (record == null) {
            LOG.warn("lost the acquisition lock; the job will be redelivered (at-least-once)");
            return;
        }
        try {
            consumer.acknowledge(record, type);
        } catch (RuntimeException e) {
            LOG.warn("{} of {}-{}@{} failed: {}", type, record.topic(), record.partition(), record.offset(), e.toString());
            return;
        }
        commit(type + " of " + record.topic() + "-" + record.partition() + "@" + record.offset());
    }

    /** commitSync, retried once when a stop request's wakeup interrupts it. */
    private void commit(String what) {
        for (int i = 0; i < 2; i++) {
            try {
                Map<?, Optional<KafkaException>> result = consumer.commitSync(settings.kafkaTimeout());
                result.values().forEach(err -> err.ifPresent(e -> LOG.warn("{} not applied: {}", what, e.toString())));
                return;
            } catch (WakeupException e) {
                // the stop request's wakeup: commit again
            } catch (RuntimeException e) {
                LOG.warn("{} failed: {}", what, e.toString());
                return;
            }
        }
    }

    /** Sends RENEW for {@code held} and returns the redelivered instance (null while it has not come back yet). */
    private ConsumerRecord<String, byte[]> renew(ConsumerRecord<String, byte[]> held, ConsumerRecord<String, byte[]> original) {
        if (held != null) {
            try {
                consumer.acknowledge(held, AcknowledgeType.RENEW);
            } catch (RuntimeException e) {
                LOG.warn("lock renewal failed: {}", e.toString());
                return held;
            }
            commit("lock renewal of " + held.topic() + "-" + held.partition() + "@" + held.offset());
        }
        return findRenewed(original, Math.min(2000, renewIntervalMs()));
    }

    /**
     * Polls until the record at {@code original}'s offset comes back; releases anything else delivered meanwhile, once,
     * after the last poll. (Explicit acknowledgements travel with the next poll, so releasing inside the loop let the
     * next poll acquire the same record again: each renewal burnt up to 20 of the head-of-queue record's deliveries,
     * and the broker archives a record silently at {@code share.delivery.count.limit} — jobs were lost under load.)
     */
    private ConsumerRecord<String, byte[]> findRenewed(ConsumerRecord<String, byte[]> original, long waitMs) {
        long end = System.nanoTime() + waitMs * 1_000_000;
        List<ConsumerRecord<String, byte[]>> extra = new ArrayList<>();
        ConsumerRecord<String, byte[]> found = null;
        while (found == null && System.nanoTime() < end) {
            ConsumerRecords<String, byte[]> rs;
            try {
                rs = consumer.poll(Duration.ofMillis(100));
            } catch (WakeupException e) {
                continue;
            }
            lastPoll = Instant.now();
            for (ConsumerRecord<String, byte[]> r : rs) {
                if (r.topic().equals(original.topic()) && r.partition() == original.partition() && r.offset() == original.offset()) {
                    found = r;
                } else {
                    extra.add(r);
                }
            }
        }
        List<ConsumerRecord<String, byte[]>> spent = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : extra) {
            if (deliveries(r) > settings.maxAttempts()) {
                spent.add(r); // released, the broker would archive it silently at its delivery limit
            } else {
                consumer.acknowledge(r, AcknowledgeType.RELEASE);
            }
        }
        if (extra.size() > spent.size()) {
            commit("release of extra records");
        }
        for (ConsumerRecord<String, byte[]> r : spent) {
            deliveryLimit(r, deliveries(r));
        }
        return found;
    }

    private long renewIntervalMs() {
        int lock = 30_000;
        try {
            lock = consumer.acquisitionLockTimeoutMs().orElse(30_000);
        } catch (RuntimeException e) {
            // keep the default
        }
        return Math.max(200, lock / 3);
    }

    /** How many times the broker has delivered {@code record} (this delivery included). */
    private static int deliveries(ConsumerRecord<String, byte[]> record) {
        return record.deliveryCount().map(Short::intValue).orElse(1);
    }

    private static String safeKey(String key) {
        return key != null && SAFE_KEY.matcher(key).matches() ? key : null;
    }
}
