package io.imaginefleet.bot.config;

import io.imaginefleet.bot.discord.DiscordConnection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything the bot's core needs, as plain values (built from {@link BotConfig} in the app, directly in tests).
 * {@link #toString()} never prints the token.
 *
 * @param discord                  token, REST base URL, gateway URL and the guilds commands are registered in;
 *                                 a non-empty guild list is also the allowlist
 * @param attachmentHosts          host names (optionally host:port) attachments may be fetched from
 * @param operatorUserIds          users allowed to use operator commands
 * @param operatorRoleIds          roles allowed to use operator commands
 * @param kafkaBootstrapServers    Kafka bootstrap servers
 * @param models                   txt2img/img2img model names the fleet serves (autocomplete; first is the default)
 * @param inpaintModel             model used by /inpaint
 * @param upscaleModel             model used by /upscale, U buttons and "Upscale image"
 * @param interactionTokenLifetime how long an interaction token is used to edit the original message (Discord: 15 min)
 * @param progressEditInterval     at most one progress edit per message per this interval
 * @param maxConcurrentPerUser     unfinished jobs a user may have at once
 * @param maxJobsPerHour           jobs a user may submit in any hour
 * @param blockedTerms             case-insensitive terms refused in prompts
 * @param attachmentLimitBytes     Discord's upload limit; larger results are sent as presigned S3 links
 * @param maxInputBytes            largest attachment the bot fetches
 * @param maxInputPixels           largest attachment in pixels (checked from the header, before decoding)
 * @param presignedUrlTtl          lifetime of presigned result links
 * @param defaultSteps             steps when the user gives none
 * @param defaultGuidance          guidance when the user gives none
 * @param defaultScheduler         scheduler when the user gives none
 * @param baseSide                 side of a 1:1 image; other aspects keep about the same pixel count
 * @param variationStrength        img2img strength of V buttons
 * @param maxEventsLag             events lag above which the bot reports itself not ready
 */
public record BotSettings(
        DiscordConnection.Endpoint discord,
        List<String> attachmentHosts,
        List<Long> operatorUserIds,
        List<Long> operatorRoleIds,
        String kafkaBootstrapServers,
        List<String> models,
        String inpaintModel,
        String upscaleModel,
        Duration interactionTokenLifetime,
        Duration progressEditInterval,
        int maxConcurrentPerUser,
        int maxJobsPerHour,
        List<String> blockedTerms,
        long attachmentLimitBytes,
        long maxInputBytes,
        long maxInputPixels,
        Duration presignedUrlTtl,
        int defaultSteps,
        double defaultGuidance,
        String defaultScheduler,
        int baseSide,
        double variationStrength,
        long maxEventsLag) {

    public BotSettings {
        attachmentHosts = attachmentHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        operatorUserIds = List.copyOf(operatorUserIds);
        operatorRoleIds = List.copyOf(operatorRoleIds);
        models = List.copyOf(models);
        blockedTerms = blockedTerms.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).filter(t -> !t.isEmpty()).toList();
        if (models.isEmpty()) throw new IllegalArgumentException("bot.models must name at least one model");
    }

    /** Discord's CDN hosts. */
    public static final List<String> DISCORD_CDN_HOSTS = List.of("cdn.discordapp.com", "media.discordapp.net");

    /** Defaults for everything but where Discord and Kafka are. */
    public static BotSettings defaults(DiscordConnection.Endpoint discord, String kafkaBootstrapServers) {
        return new BotSettings(discord, DISCORD_CDN_HOSTS, List.of(), List.of(), kafkaBootstrapServers,
                List.of("sd15"), "sd15-inpaint", "x4-upscaler", Duration.ofMinutes(14), Duration.ofSeconds(3),
                2, 20, List.of(), 10L * 1024 * 1024, 16L * 1024 * 1024, 4096L * 4096L, Duration.ofDays(7),
                25, 7.5, "euler-a", 512, 0.6, 1000);
    }

    /** The default model (the first of {@link #models()}). */
    public String defaultModel() {
        return models.get(0);
    }

    public BotSettings withAttachmentHosts(List<String> hosts) {
        return new BotSettings(discord, hosts, operatorUserIds, operatorRoleIds, kafkaBootstrapServers, models, inpaintModel,
                upscaleModel, interactionTokenLifetime, progressEditInterval, maxConcurrentPerUser, maxJobsPerHour,
                blockedTerms, attachmentLimitBytes, maxInputBytes, maxInputPixels, presignedUrlTtl, defaultSteps,
                defaultGuidance, defaultScheduler, baseSide, variationStrength, maxEventsLag);
    }

    public BotSettings withModels(List<String> m, String inpaint, String upscale) {
        return new BotSettings(discord, attachmentHosts, operatorUserIds, operatorRoleIds, kafkaBootstrapServers, m, inpaint,
                upscale, interactionTokenLifetime, progressEditInterval, maxConcurrentPerUser, maxJobsPerHour,
                blockedTerms, attachmentLimitBytes, maxInputBytes, maxInputPixels, presignedUrlTtl, defaultSteps,
                defaultGuidance, defaultScheduler, baseSide, variationStrength, maxEventsLag);
    }

    public BotSettings withTiming(Duration tokenLifetime, Duration progressInterval) {
        return new BotSettings(discord, attachmentHosts, operatorUserIds, operatorRoleIds, kafkaBootstrapServers, models,
                inpaintModel, upscaleModel, tokenLifetime, progressInterval, maxConcurrentPerUser, maxJobsPerHour,
                blockedTerms, attachmentLimitBytes, maxInputBytes, maxInputPixels, presignedUrlTtl, defaultSteps,
                defaultGuidance, defaultScheduler, baseSide, variationStrength, maxEventsLag);
    }

    public BotSettings withLimits(int concurrent, int perHour, List<String> blocked) {
        return new BotSettings(discord, attachmentHosts, operatorUserIds, operatorRoleIds, kafkaBootstrapServers, models,
                inpaintModel, upscaleModel, interactionTokenLifetime, progressEditInterval, concurrent, perHour,
                blocked, attachmentLimitBytes, maxInputBytes, maxInputPixels, presignedUrlTtl, defaultSteps,
                defaultGuidance, defaultScheduler, baseSide, variationStrength, maxEventsLag);
    }

    public BotSettings withSizes(long attachmentLimit, long maxInBytes, long maxInPixels, int side, int steps) {
        return new BotSettings(discord, attachmentHosts, operatorUserIds, operatorRoleIds, kafkaBootstrapServers, models,
                inpaintModel, upscaleModel, interactionTokenLifetime, progressEditInterval, maxConcurrentPerUser,
                maxJobsPerHour, blockedTerms, attachmentLimit, maxInBytes, maxInPixels, presignedUrlTtl, steps,
                defaultGuidance, defaultScheduler, side, variationStrength, maxEventsLag);
    }

    public BotSettings withOperators(List<Long> users, List<Long> roles) {
        return new BotSettings(discord, attachmentHosts, users, roles, kafkaBootstrapServers, models,
                inpaintModel, upscaleModel, interactionTokenLifetime, progressEditInterval, maxConcurrentPerUser,
                maxJobsPerHour, blockedTerms, attachmentLimitBytes, maxInputBytes, maxInputPixels, presignedUrlTtl,
                defaultSteps, defaultGuidance, defaultScheduler, baseSide, variationStrength, maxEventsLag);
    }

    /** Whether a guild may use the bot (all guilds when none is configured). */
    public boolean guildAllowed(Optional<Long> guildId) {
        return discord.guildIds().isEmpty() || guildId.map(discord.guildIds()::contains).orElse(false);
    }

    @Override
    public String toString() {
        return "BotSettings[discord=" + discord + ", attachmentHosts=" + attachmentHosts + ", kafka=" + kafkaBootstrapServers
                + ", models=" + models + ", inpaint=" + inpaintModel + ", upscale=" + upscaleModel
                + ", tokenLifetime=" + interactionTokenLifetime + ", limits=" + maxConcurrentPerUser + "/" + maxJobsPerHour + "h]";
    }

    /** From the app's configuration. */
    public static BotSettings from(DiscordConfig d, BotConfig b, KafkaConfig k) {
        return new BotSettings(
                new DiscordConnection.Endpoint(d.token().orElseThrow(() -> new IllegalStateException("DISCORD_TOKEN is not set")), d.apiBaseUrl(), d.gatewayUrl(), b.guildIds().orElse(List.of())),
                d.attachmentHosts(), b.operator().userIds().orElse(List.of()), b.operator().roleIds().orElse(List.of()),
                k.servers(), b.models(), b.inpaintModel(), b.upscaleModel(), b.interactionTokenLifetime(),
                b.progressEditInterval(), b.maxConcurrentPerUser(), b.maxJobsPerHour(), b.blockedTerms().orElse(List.of()),
                b.attachmentLimitBytes(), b.maxInputBytes(), b.maxInputPixels(), b.presignedUrlTtl(), b.defaultSteps(),
                b.defaultGuidance(), b.defaultScheduler(), b.baseSide(), b.variationStrength(), b.maxEventsLag());
    }
}
