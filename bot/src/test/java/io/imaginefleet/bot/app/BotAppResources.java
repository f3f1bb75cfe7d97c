package io.imaginefleet.bot.app;

import io.imaginefleet.bot.discord.DiscordStandIn;
import io.imaginefleet.common.embedded.EmbeddedKafka;
import io.imaginefleet.common.embedded.EmbeddedS3;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/** A broker, an S3 server and the Discord stand-in for the packaged app, configured the way a deployment would. */
public class BotAppResources implements QuarkusTestResourceLifecycleManager {
    static DiscordStandIn discord;
    static EmbeddedKafka kafka;
    static EmbeddedS3 s3;

    @Override
    public Map<String, String> start() {
        try {
            kafka = EmbeddedKafka.temporary().start();
            kafka.createFleetTopics(1);
            s3 = EmbeddedS3.inMemory(EmbeddedS3.DEFAULT_ACCESS_KEY, "app-test-secret").start();
            s3.createBucket("imagine");
            discord = new DiscordStandIn();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> cfg = new HashMap<>();
        cfg.put("discord.token", DiscordStandIn.BOT_TOKEN);
        cfg.put("discord.api-base-url", discord.restBaseUrl());
        cfg.put("discord.gateway-url", discord.gatewayUrl());
        cfg.put("discord.attachment-hosts", discord.cdnHost());
        cfg.put("bot.guild-ids", String.valueOf(DiscordStandIn.GUILD_ID));
        cfg.put("bot.models", "tiny-sd");
        cfg.put("bot.operator.user-ids", "8999");
        cfg.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        cfg.put("s3.endpoint", s3.endpoint().toString());
        cfg.put("s3.access-key", s3.accessKey());
        cfg.put("s3.secret-key", s3.secretKey());
        cfg.put("s3.bucket", "imagine");
        return cfg;
    }

    @Override
    public void stop() {
        try {
            if (discord != null) discord.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (s3 != null) s3.close();
        if (kafka != null) kafka.close();
    }
}
