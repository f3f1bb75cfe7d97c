package io.imaginefleet.bot.discord;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.channel.concrete.TextChannel;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.utils.FileUpload;
import org.junit.jupiter.api.Test;

class StandInSmokeTest {

    static final class Echo extends ListenerAdapter implements CommandFamily {
        @Override
        public List<CommandData> commands() {
            return List.of(Commands.slash("echo", "echo"));
        }

        @Override
        public void onSlashCommandInteraction(SlashCommandInteractionEvent e) {
            e.deferReply().queue(hook -> hook.editOriginal("hello").setFiles(FileUpload.fromData(new byte[] {1, 2}, "a.png")).queue());
        }
    }

    @Test
    void jdaConnectsDefersEditsAndPostsToCachedChannel() throws Exception {
        try (DiscordStandIn d = new DiscordStandIn()) {
            JDA jda = DiscordConnection.connect(new DiscordConnection.Endpoint(DiscordStandIn.BOT_TOKEN,
                    Optional.of(d.restBaseUrl()), Optional.of(d.gatewayUrl()), List.of(DiscordStandIn.GUILD_ID)), List.of(new Echo()));
            try {
                assertThat(d.calls()).anyMatch(c -> c.method().equals("PUT") && c.path().endsWith("/guilds/" + DiscordStandIn.GUILD_ID + "/commands"));
                var i = d.slash(new DiscordStandIn.User(42, "alice"), "echo");
                RestCall edit = d.await(c -> c.method().equals("PATCH") && i.token().equals(c.token()), Duration.ofSeconds(5));
                assertThat(edit.content()).isEqualTo("hello");
                assertThat(edit.files()).containsKey("files[0]");
                assertThat(d.callsFor(i).get(0).isCallback()).isTrue();
                TextChannel ch = jda.getTextChannelById(DiscordStandIn.CHANNEL_ID);
                assertThat(ch).isNotNull();
                ch.sendMessage("<@42> done").complete();
                assertThat(d.channelPosts()).anyMatch(c -> c.content().equals("<@42> done"));
            } finally {
                jda.shutdownNow();
                jda.awaitShutdown();
            }
        }
    }
}
