package io.imaginefleet.bot.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.imaginefleet.bot.discord.DiscordConnection;
import io.imaginefleet.bot.discord.DiscordStandIn;
import io.imaginefleet.bot.discord.DiscordStandIn.Option;
import io.imaginefleet.bot.discord.DiscordStandIn.User;
import io.imaginefleet.bot.discord.RestCall;
import io.imaginefleet.common.embedded.EmbeddedKafka;
import io.imaginefleet.common.job.FailureCode;
import io.imaginefleet.common.job.Job;
import io.imaginefleet.common.job.JobCodec;
import io.imaginefleet.common.job.Requester;
import io.imaginefleet.common.kafka.KafkaSettings;
import io.imaginefleet.common.kafka.Topics;
import net.dv8tion.jda.api.JDA;

/**
 * {@code /admin} through the unmodified JDA client against the Discord stand-in, with a real broker: the command is
 * registered hidden (default_member_permissions 0, guild only); a non-operator is refused and nothing is sent; an
 * operator (by user id or by role) lists the DLQ, dry-runs and replays a job; a second replay is refused.
 */
class AdminCommandsTest {

    static final long OPERATOR = 4201;
    static final long ROLE = DiscordStandIn.OPERATOR_ROLE_ID;
    static EmbeddedKafka kafka;
    static DiscordStandIn discord;
    static JDA jda;
    static String failedId;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.temporary().start();
        kafka.createFleetTopics(1);
        Job j = Job.txt2img(Job.newId(), "tiny-sd", "a red cube", 64, 64, 2,
                new Requester(String.valueOf(DiscordStandIn.GUILD_ID), String.valueOf(DiscordStandIn.CHANNEL_ID), "555", null));
        failedId = j.id();
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(KafkaSettings.producer(kafka.bootstrapServers(), "seed"))) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.DLQ, j.id(), JobCodec.encode(j));
            r.headers().add(Topics.H_ERROR_CLASS, FailureCode.UNKNOWN_MODEL.getBytes(StandardCharsets.UTF_8));
            r.headers().add(Topics.H_ERROR_MESSAGE, "model tiny-sd is not served".getBytes(StandardCharsets.UTF_8));
            r.headers().add(Topics.H_ATTEMPTS, "1".getBytes(StandardCharsets.UTF_8));
            p.send(r).get();
        }
        discord = new DiscordStandIn();
        AdminCommands admin = new AdminCommands(new OperatorPolicy(List.of(String.valueOf(OPERATOR)), List.of(String.valueOf(ROLE))),
                OpsConfig.kafkaProperties(Map.of(), kafka.bootstrapServers()));
        jda = DiscordConnection.connect(new DiscordConnection.Endpoint(DiscordStandIn.BOT_TOKEN, Optional.of(discord.restBaseUrl()),
                Optional.of(discord.gatewayUrl()), List.of(DiscordStandIn.GUILD_ID)), List.of(admin));
    }

    @AfterAll
    static void stop() throws Exception {
        if (jda != null) {
            jda.shutdownNow();
            jda.awaitShutdown();
        }
        if (discord != null) {
            discord.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static List<ConsumerRecord<String, byte[]>> queue() {
        Properties p = OpsConfig.kafkaProperties(Map.of(), kafka.bootstrapServers());
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        new TopicScanner(p, Duration.ofSeconds(30)).scan(Topics.JOBS, out::add);
        return out;
    }

    static RestCall answer(DiscordStandIn.Interaction i) {
        return discord.await(c -> c.method().equals("PATCH") && i.token().equals(c.token()), Duration.ofSeconds(30));
    }

    @Test
    void registeredHiddenFromEveryoneButAdministrators() {
        RestCall put = discord.calls().stream().filter(c -> c.method().equals("PUT") && c.path().endsWith("/commands")).findFirst().orElseThrow();
        var admin = put.json().findParents("name").stream().filter(n -> n.path("name").asText().equals("admin")).findFirst().orElseThrow();
        assertThat(admin.path("default_member_permissions").asText()).isEqualTo("0");
        assertThat(admin.path("options").findValuesAsText("name")).contains("dlq", "replay", "job");
    }

    @Test
    void aNonOperatorIsRefusedAndNothingIsSent() {
        int before = queue().size();
        var i = discord.slash(new User(9999, "mallory", List.of(1L)), "admin",
                Option.subcommand("replay", Option.string("job_id", failedId), Option.bool("send", true)));
        RestCall cb = discord.await(c -> c.isCallback() && i.token().equals(c.token()), Duration.ofSeconds(10));
        assertThat(cb.json().path("type").asInt()).isEqualTo(4);
        assertThat(cb.json().path("data").path("flags").asInt() & 64).isEqualTo(64);
        assertThat(cb.json().path("data").path("content").asText()).contains("not an operator");
        assertThat(queue()).hasSize(before);
    }

    @Test
    void anOperatorByRoleListsTheDlqAndLooksUpAJob() {
        var i = discord.slash(new User(1234, "ops-by-role", List.of(ROLE)), "admin", Option.subcommand("dlq", Option.string("error", "unknown_model")));
        RestCall cb = discord.await(c -> c.isCallback() && i.token().equals(c.token()), Duration.ofSeconds(10));
        assertThat(cb.json().path("type").asInt()).isEqualTo(5);
        assertThat(cb.json().path("data").path("flags").asInt() & 64).isEqualTo(64);
        assertThat(answer(i).content()).contains("1 failed job(s)").contains(failedId).contains("unknown_model");

        var j = discord.slash(new User(1234, "ops-by-role", List.of(ROLE)), "admin", Option.subcommand("job", Option.string("job_id", failedId)));
        assertThat(answer(j).content()).contains("in DLQ: unknown_model");
    }

    @Test
    void anOperatorDryRunsThenReplaysOnceAndASecondReplayIsRefused() throws Exception {
        User op = new User(OPERATOR, "oncall");
        int before = queue().size();
        var dry = discord.slash(op, "admin", Option.subcommand("replay", Option.string("job_id", failedId)));
        assertThat(answer(dry).content()).startsWith("Dry run: would send " + failedId);
        assertThat(queue()).hasSize(before);

        var send = discord.slash(op, "admin", Option.subcommand("replay", Option.string("job_id", failedId), Option.bool("send", true)));
        String text = answer(send).content();
        assertThat(text).startsWith("Replayed " + failedId + " as ");
        List<ConsumerRecord<String, byte[]>> q = queue();
        assertThat(q).hasSize(before + 1);
        Job replay = JobCodec.decodeJob(q.get(q.size() - 1).value());
        assertThat(replay.replayOf()).isEqualTo(failedId);
        assertThat(text).contains(replay.id());
        assertThat(replay.requester().channelId()).isEqualTo(String.valueOf(DiscordStandIn.CHANNEL_ID));
        assertThat(Topics.header(q.get(q.size() - 1).headers(), Replayer.H_REPLAYED_BY)).isEqualTo("discord:" + OPERATOR);

        var again = discord.slash(op, "admin", Option.subcommand("replay", Option.string("job_id", failedId), Option.bool("send", true)));
        assertThat(answer(again).content()).startsWith("Refused: " + failedId + " was already replayed as " + replay.id());
        assertThat(queue()).hasSize(before + 1);
    }
}
