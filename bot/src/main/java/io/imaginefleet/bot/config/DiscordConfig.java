package io.imaginefleet.bot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * Discord settings ({@code discord.*}; environment: {@code DISCORD_TOKEN}, {@code DISCORD_API_BASE_URL},
 * {@code DISCORD_GATEWAY_URL}, {@code DISCORD_ATTACHMENT_HOSTS}). Empty URLs mean Discord's own.
 */
@ConfigMapping(prefix = "discord")
public interface DiscordConfig {
    /** The bot token (a secret: never logged). Without it the app starts but does not connect (not ready). */
    Optional<String> token();

    /** REST base URL, e.g. {@code http://proxy:8080/api/v10/}; default Discord's. */
    Optional<String> apiBaseUrl();

    /** Gateway WebSocket URL; default Discord's. */
    Optional<String> gatewayUrl();

    /** Hosts attachments may be fetched from. */
    @WithDefault("cdn.discordapp.com,media.discordapp.net")
    List<String> attachmentHosts();
}
