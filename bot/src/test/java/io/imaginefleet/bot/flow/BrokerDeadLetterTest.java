package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imaginefleet.bot.core.FleetBot;
import io.imaginefleet.bot.discord.DiscordStandIn.Interaction;
import io.imaginefleet.bot.discord.DiscordStandIn.Option;
import io.imaginefleet.bot.discord.DiscordStandIn.User;
import io.imaginefleet.bot.discord.RestCall;
import io.imaginefleet.bot.ops.DlqRecord;
import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.junit.jupiter.api.Test;

/**
 * A job no worker settles (each one that takes it dies or gives it back) reaches the share group's delivery limit: the
 * broker dead-letters it into {@code dlq.imagine.jobs} (KIP-1191, configured by FleetTopology) instead of archiving it
 * silently, the requester is told, and the operator tools read the record as a delivery-limit failure.
 */
class BrokerDeadLetterTest {
    @Test
    void aJobPastTheDeliveryLimitIsDeadLetteredAndItsRequesterTold() throws Exception {
        try (LogCapture logs = LogCapture.install(); FleetEnv env = new FleetEnv()) {
            env.kafka.setGroupConfig(Topics.WORKER_SHARE_GROUP, Map.of("share.delivery.count.limit", "2"));
            FleetBot bot = env.startBot(env.settings());
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!bot.watchingDeadLetters() && System.nanoTime() < until) Thread.sleep(100);
            assertThat(bot.watchingDeadLetters()).isTrue();

            User u = new User(7301, "unlucky");
            Interaction i = env.discord.slash(u, "imagine", Option.string("prompt", "a job every worker drops"),
                    Option.integer("steps", 2), Option.integer("width", 64), Option.integer("height", 64));
            env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("queued — position"), Duration.ofSeconds(30));

            // two deliveries that end without a settlement, as workers crashing on the job would leave them
            int deliveries = 0;
            try (KafkaShareConsumer<String, byte[]> crashing = new KafkaShareConsumer<>(
                    KafkaSettings.shareConsumer(env.kafka.bootstrapServers(), Topics.WORKER_SHARE_GROUP, "crashing-worker"))) {
                crashing.subscribe(List.of(Topics.JOBS));
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (deliveries < 2 && System.nanoTime() < end) {
                    for (ConsumerRecord<String, byte[]> r : crashing.poll(Duration.ofMillis(200))) {
                        deliveries++;
                        crashing.acknowledge(r, AcknowledgeType.RELEASE);
                    }
                    crashing.commitSync(Duration.ofSeconds(10));
                }
            }
            assertThat(deliveries).isEqualTo(2);

            RestCall told = env.discord.await(c -> i.token().equals(c.token()) && c.content().contains("could not be made"),
                    Duration.ofSeconds(30));
            assertThat(told.content()).contains("a job every worker drops").contains("no worker could finish this job")
                    .contains("delivered 2 times");

            List<DlqRecord> dlq = env.records(Topics.DLQ).stream().map(DlqRecord::from).toList();
            assertThat(dlq).hasSize(1);
            assertThat(dlq.get(0).errorClass()).isEqualTo(FailureCode.DELIVERY_LIMIT);
            assertThat(dlq.get(0).attempts()).isEqualTo(2);
            assertThat(dlq.get(0).job()).as("the whole job is kept, so it can be replayed").isNotNull();
            assertThat(dlq.get(0).job().path("prompt").asText()).isEqualTo("a job every worker drops");
            Secrets.assertAbsent(logs.text() + "\n" + env.kafkaText(), env.discord.issuedTokens());
        }
    }
}
