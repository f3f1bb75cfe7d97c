package io.imaginefleet.bot.discord;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.SessionControllerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and connects the JDA client: REST base URL and gateway URL are configurable so a REST proxy
 * or a Discord stand-in can sit in front of the bot; registers every {@link CommandFamily}'s commands
 * (per configured guild, or globally when none is configured) and adds each family as a listener.
 */
public final class DiscordConnection {

    private static final Logger LOG = LoggerFactory.getLogger(DiscordConnection.class);

    private DiscordConnection() {}

    /** Where and how to connect. Empty URLs mean Discord's own. */
    public record Endpoint(String token, Optional<String> apiBaseUrl, Optional<String> gatewayUrl, List<Long> guildIds) {
        @Override
        public String toString() { // never print the token
            return "Endpoint[api=" + apiBaseUrl.orElse("discord") + ", gateway=" + gatewayUrl.orElse("discord")
                    + ", guilds=" + guildIds + "]";
        }
    }

    /**
     * Connects, waits until the gateway is ready and registers the families' commands.
     *
     * @throws InterruptedException when interrupted while waiting for READY
     */
    public static JDA connect(Endpoint endpoint, List<? extends CommandFamily> families) throws InterruptedException {
        JDABuilder builder = JDABuilder.createLight(endpoint.token(), EnumSet.noneOf(GatewayIntent.class))
                .setCompression(Compression.NONE)
                .setAutoReconnect(true);
        endpoint.apiBaseUrl().filter(s -> !s.isBlank()).ifPresent(url ->
                builder.setRestConfig(new RestConfig().setBaseUrl(url.endsWith("/") ? url : url + "/")));
        endpoint.gatewayUrl().filter(s -> !s.isBlank()).ifPresent(url -> builder.setSessionController(new SessionControllerAdapter() {
            @Override
            public String getGateway() {
                return url;
            }
        }));
        families.forEach(builder::addEventListeners);
        JDA jda = builder.build();
        jda.awaitReady();
        List<CommandData> commands = new ArrayList<>();
        families.forEach(f -> commands.addAll(f.commands()));
        if (endpoint.guildIds().isEmpty()) {
            jda.updateCommands().addCommands(commands).complete();
            LOG.info("registered {} commands globally", commands.size());
        } else {
            for (long gid : endpoint.guildIds()) {
                Guild g = jda.getGuildById(gid);
                if (g == null) {
                    LOG.warn("configured guild {} is not one the bot is in; commands not registered there", gid);
                    continue;
                }
                g.updateCommands().addCommands(commands).complete();
                LOG.info("registered {} commands in guild {}", commands.size(), gid);
            }
        }
        return jda;
    }
}
