package io.imaginefleet.bot.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times the operator types: an ISO instant ({@code 2026-11-30T10:15:00Z}), a UTC date-time without zone
 * ({@code 2026-11-30T10:15}), a UTC date ({@code 2026-11-30}, its midnight) or an age relative to now
 * ({@code 90s}, {@code 15m}, {@code 2h}, {@code 3d}).
 */
public final class TimeArg {
    private static final Pattern AGE = Pattern.compile("(\\d+)\\s*([smhd])");

    private TimeArg() {
    }

    public static Instant parse(String text, Clock clock) {
        String t = text.trim();
        Matcher m = AGE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return clock.instant().minus(d);
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time: use 2026-11-30T10:15:00Z, 2026-11-30T10:15 (UTC), "
                    + "2026-11-30, or an age such as 15m, 2h, 3d");
        }
    }
}
