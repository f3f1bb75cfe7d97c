package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import io.imaginefleet.bot.core.FleetBot;
import io.imaginefleet.bot.discord.DiscordStandIn;
import io.imaginefleet.bot.discord.RestCall;
import io.imaginefleet.bot.ops.FleetCtl;
import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;

/**
 * The operator's replay, end to end with the bot: a job sits in the DLQ (it failed while S3 was down), the operator
 * runs {@code fleetctl replay}, a worker ({@link TestWorkers}: the real fleet worker on the tiny model when the engine
 * is available) completes the new job, and the bot posts the result in the original channel, mentioning the
 * requester, exactly once; a second replay is refused.
 */
class OperatorReplayFlowTest {
    static final Duration WAIT = Duration.ofSeconds(90);

    static String[] fleetctl(FleetEnv env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        FleetCtl ctl = new FleetCtl(new BufferedReader(new StringReader("")), new PrintWriter(out), new PrintWriter(err),
                Map.of("KAFKA_BOOTSTRAP_SERVERS", env.kafka.bootstrapServers(), "USER", "oncall"));
        int rc = FleetCtl.run(ctl, args);
        return new String[] {String.valueOf(rc), out.toString(), err.toString()};
    }

    @Test
    void aFailedJobReplayedWithFleetctlIsPostedToTheOriginalChannelOnce() throws Exception {
        try (FleetEnv env = new FleetEnv(); FleetBot bot = env.startBot(env.settings())) {
            long end = System.currentTimeMillis() + 30_000;
            while (!bot.watchingJobs() && System.currentTimeMillis() < end) {
                Thread.sleep(100);
            }
            Job failed = Job.txt2img(Job.newId(), FleetEnv.MODEL, "an operator's comet", 64, 64, 2,
                    new Requester(String.valueOf(DiscordStandIn.GUILD_ID), String.valueOf(DiscordStandIn.CHANNEL_ID), "7005", null)).withSeed(3L);
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(env.kafka.bootstrapServers(), "dlq-writer"))) {
                ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.DLQ, failed.id(), JobCodec.encode(failed));
                r.headers().add(Topics.H_ERROR_CLASS, FailureCode.UNAVAILABLE.getBytes(StandardCharsets.UTF_8));
                r.headers().add(Topics.H_ERROR_MESSAGE, "S3 unavailable".getBytes(StandardCharsets.UTF_8));
                r.headers().add(Topics.H_ATTEMPTS, "4".getBytes(StandardCharsets.UTF_8));
                p.send(r).get();
            }
            try (AutoCloseable worker = TestWorkers.start(env)) {
                String[] replay = fleetctl(env, "replay", failed.id(), "--yes", "--json");
                assertThat(replay[0]).as(replay[2]).isEqualTo("0");
                String newId = new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(replay[1]).path("sent").get(0).path("jobId").asText();

                RestCall post = env.discord.await(c -> c.content().contains("an operator's comet") && c.content().contains("✅"), WAIT);
                assertThat(post.path()).isEqualTo("channels/" + DiscordStandIn.CHANNEL_ID + "/messages");
                assertThat(post.content()).startsWith("<@7005>");
                assertThat(post.files()).isNotEmpty();

                String[] again = fleetctl(env, "replay", failed.id(), "--yes");
                assertThat(again[0]).isEqualTo("1");
                assertThat(again[1]).contains("already replayed as " + newId);

                Thread.sleep(2000); // let any duplicate post show up
                List<RestCall> posts = env.discord.calls().stream()
                        .filter(c -> c.content().contains("an operator's comet") && c.content().contains("✅")).toList();
                assertThat(posts).hasSize(1);
            }
        }
    }
}
