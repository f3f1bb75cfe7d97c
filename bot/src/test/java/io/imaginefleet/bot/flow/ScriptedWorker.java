package io.imaginefleet.bot.flow;

import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.JobEvent;
import io.imaginefleet.common.job.JobKind;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import io.imaginefleet.common.storage.BlobStore;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A stand-in worker for the bot's own tests of the event side: takes jobs from the share group, writes solid-colour
 * PNGs of the job's size to S3 and publishes accepted, progress and completed events exactly as the contract says.
 * (The end-to-end flow test uses the real fleet worker on the tiny model.)
 */
final class ScriptedWorker implements AutoCloseable {
    private final KafkaShareConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final BlobStore blobs;
    private final Thread thread;
    private volatile boolean running = true;

    ScriptedWorker(String bootstrap, BlobStore blobs) {
        this.consumer = new KafkaShareConsumer<>(KafkaSettings.shareConsumer(bootstrap, Topics.WORKER_SHARE_GROUP, "scripted-worker"));
        this.producer = new KafkaProducer<>(KafkaSettings.producer(bootstrap, "scripted-worker"));
        this.blobs = blobs;
        this.thread = new Thread(this::run, "scripted-worker");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        consumer.subscribe(List.of(Topics.JOBS));
        while (running) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                try {
                    work(JobCodec.decodeJob(r.value()));
                    consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                } catch (Exception e) {
                    consumer.acknowledge(r, AcknowledgeType.REJECT);
                }
            }
            consumer.commitSync();
        }
        consumer.close();
    }

    private void work(Job job) throws Exception {
        send(JobEvent.accepted(job.id(), "scripted", 1));
        for (int s = 1; s <= job.steps(); s++) {
            send(JobEvent.progress(job.id(), "scripted", s, job.steps(), null));
            Thread.sleep(150);
        }
        int w = job.kind() == JobKind.UPSCALE ? job.width() * 4 : job.width();
        int h = job.kind() == JobKind.UPSCALE ? job.height() * 4 : job.height();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < job.count(); i++) {
            String key = Job.resultKey(job.id(), i);
            blobs.put(key, png(w, h, new Color(40 * i, 100, 200)), "image/png");
            keys.add(key);
        }
        send(JobEvent.completed(job.id(), "scripted", keys, job.seed() == null ? 1 : job.seed(), Map.of("total", 5L), List.of("params"), 1));
    }

    static byte[] png(int w, int h, Color c) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private void send(JobEvent e) throws Exception {
        producer.send(new ProducerRecord<>(Topics.EVENTS, e.jobId(), JobCodec.encode(e))).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
        producer.close(Duration.ofSeconds(2));
    }
}
