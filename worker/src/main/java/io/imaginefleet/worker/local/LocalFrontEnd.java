package io.imaginefleet.worker.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import io.imaginefleet.common.job.InvalidJobException;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobValidator;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.storage.BlobStore;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The command-line front end of the local run: it does what the bot does with a job — validates it with the
 * shared rules, produces it to {@code imagine.jobs} (key = job id), follows {@code imagine.events} for that id —
 * and then, instead of posting to Discord, shows a progress bar and fetches the result PNGs from S3 into a folder.
 */
public final class LocalFrontEnd implements AutoCloseable {

    /** What came of a job. {@code files} are the written PNGs (completed only). */
    public record Outcome(String jobId, boolean completed, List<Path> files, JobEvent last) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> events;
    private final BlobStore store;
    private final JobValidator validator;
    private final PrintStream progressOut;

    /**
     * @param bootstrap   Kafka bootstrap servers
     * @param store       where results are read from
     * @param progressOut where the progress bar and status lines go (stderr), or null for none
     */
    public LocalFrontEnd(String bootstrap, BlobStore store, PrintStream progressOut) {
        this.producer = new KafkaProducer<>(KafkaSettings.producer(bootstrap, "imagine-local-frontend"));
        this.events = new KafkaConsumer<>(KafkaSettings.consumer(bootstrap, null, "imagine-local-events"));
        this.store = store;
        this.validator = new JobValidator();
        this.progressOut = progressOut;
    }

    /**
     * Sends {@code job}, waits for its {@code completed} or permanent {@code failed} event (transient failures are
     * retried by the fleet and only reported), and writes {@code outDir/<jobId>-<i>.png}.
     *
     * @throws InvalidJobException when the job breaks the shared rules (nothing is sent)
     */
    public Outcome run(Job job, Path outDir, Duration timeout) throws IOException, InterruptedException {
        validator.validate(job);
        List<TopicPartition> parts = events.partitionsFor(Topics.EVENTS, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        events.assign(parts);
        events.seekToEnd(parts);
        parts.forEach(events::position); // fix the start before the job goes out, so no event is missed
        try {
            producer.send(new ProducerRecord<>(Topics.JOBS, job.id(), JobCodec.encode(job))).get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not send the job to Kafka: " + e.getMessage(), e);
        }
        status("queued job " + job.id());
        long deadline = System.nanoTime() + timeout.toNanos();
        ProgressBar bar = null;
        try {
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : events.poll(Duration.ofMillis(200))) {
                    if (!job.id().equals(r.key())) {
                        continue;
                    }
                    JobEvent e;
                    try {
                        e = JobCodec.decodeEvent(r.value());
                    } catch (RuntimeException malformed) {
                        continue;
                    }
                    switch (e.type()) {
                        case ACCEPTED -> status("picked up by " + e.workerId() + (e.attempt() != null && e.attempt() > 1
                                ? " (attempt " + e.attempt() + ")" : ""));
                        case PROGRESS -> {
                            if (bar == null && progressOut != null && e.totalSteps() != null) {
                                ProgressBarBuilder b = new ProgressBarBuilder().setTaskName("denoising").setInitialMax(e.totalSteps())
                                        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(progressOut));
                                // on a terminal the bar redraws in place; into a file or pipe it only rarely adds a line
                                bar = (System.console() != null ? b.setUpdateIntervalMillis(200) : b.setUpdateIntervalMillis(60_000)).build();
                            }
                            if (bar != null && e.step() != null) {
                                bar.stepTo(e.step());
                            }
                        }
                        case COMPLETED -> {
                            if (bar != null) {
                                bar.stepTo(bar.getMax());
                                bar.close();
                                bar = null;
                            }
                            return new Outcome(job.id(), true, fetch(job.id(), e.resultKeys(), outDir), e);
                        }
                        case FAILED -> {
                            if (Boolean.TRUE.equals(e.retryable())) {
                                status("attempt failed (" + e.code() + ": " + e.message() + "); the fleet will retry");
                            } else {
                                return new Outcome(job.id(), false, List.of(), e);
                            }
                        }
                        default -> {
                        }
                    }
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        throw new IOException("no result for job " + job.id() + " within " + timeout.toSeconds() + " s");
    }

    private List<Path> fetch(String jobId, List<String> keys, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Path f = outDir.resolve(jobId + "-" + i + ".png");
            Files.write(f, store.get(keys.get(i)));
            files.add(f);
        }
        return files;
    }

    private void status(String line) {
        if (progressOut != null) {
            progressOut.println(line);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        events.close(Duration.ofSeconds(5));
    }
}
