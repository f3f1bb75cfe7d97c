package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.imaginefleet.bot.discord.DiscordStandIn;
import java.util.List;

/** The secrets check: no bot token, S3 secret or interaction token in captured logs or Kafka records. */
final class Secrets {
    private Secrets() {}

    static void assertAbsent(String captured, List<String> interactionTokens) {
        assertThat(captured).isNotEmpty();
        assertThat(captured).as("bot token in logs/Kafka").doesNotContain(DiscordStandIn.BOT_TOKEN);
        assertThat(captured).as("S3 secret in logs/Kafka").doesNotContain(FleetEnv.S3_SECRET);
        assertThat(interactionTokens).isNotEmpty();
        for (String t : interactionTokens) assertThat(captured).as("interaction token in logs/Kafka").doesNotContain(t);
    }
}
