package io.imaginefleet.bot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Bot behaviour ({@code bot.*}; environment {@code BOT_GUILD_IDS}, {@code BOT_OPERATOR_USER_IDS},
 * {@code BOT_OPERATOR_ROLE_IDS}, {@code BOT_MODELS}, {@code BOT_MAX_CONCURRENT_PER_USER}, …). See {@link BotSettings}
 * for what each value means.
 */
@ConfigMapping(prefix = "bot")
public interface BotConfig {
    /** Guilds to register commands in and to serve (allowlist); empty: global commands, every guild. */
    Optional<List<Long>> guildIds();

    /** Operators ({@code bot.operator.user-ids}, {@code bot.operator.role-ids}; the operator tools read the same). */
    Operator operator();

    /** Who may use operator commands and cancel other users' jobs. */
    interface Operator {
        Optional<List<Long>> userIds();

        Optional<List<Long>> roleIds();
    }

    @WithDefault("sd15")
    List<String> models();

    @WithDefault("sd15-inpaint")
    String inpaintModel();

    @WithDefault("x4-upscaler")
    String upscaleModel();

    @WithDefault("PT14M")
    Duration interactionTokenLifetime();

    @WithDefault("PT3S")
    Duration progressEditInterval();

    @WithDefault("2")
    int maxConcurrentPerUser();

    @WithDefault("20")
    int maxJobsPerHour();

    Optional<List<String>> blockedTerms();

    @WithDefault("10485760")
    long attachmentLimitBytes();

    @WithDefault("16777216")
    long maxInputBytes();

    @WithDefault("16777216")
    long maxInputPixels();

    @WithDefault("P7D")
    Duration presignedUrlTtl();

    @WithDefault("25")
    int defaultSteps();

    @WithDefault("7.5")
    double defaultGuidance();

    @WithDefault("euler-a")
    String defaultScheduler();

    @WithDefault("512")
    int baseSide();

    @WithDefault("0.6")
    double variationStrength();

    @WithDefault("1000")
    long maxEventsLag();
}
