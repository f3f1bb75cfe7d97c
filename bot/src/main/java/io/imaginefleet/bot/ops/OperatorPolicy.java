package io.imaginefleet.bot.ops;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may use {@code /admin}: Discord users listed in {@code BOT_OPERATOR_USER_IDS} and members holding one of the
 * roles in {@code BOT_OPERATOR_ROLE_IDS} (comma-separated snowflakes). With neither configured nobody may; the
 * check is made on every interaction, whatever Discord's own permission settings show.
 */
public final class OperatorPolicy {

    private final Set<String> userIds;
    private final Set<String> roleIds;

    public OperatorPolicy(Collection<String> userIds, Collection<String> roleIds) {
        this.userIds = clean(userIds);
        this.roleIds = clean(roleIds);
    }

    /** From the comma-separated environment form. */
    public static OperatorPolicy parse(String userIdsCsv, String roleIdsCsv) {
        return new OperatorPolicy(split(userIdsCsv), split(roleIdsCsv));
    }

    public boolean isOperator(String userId, Collection<String> memberRoleIds) {
        if (userId != null && userIds.contains(userId)) {
            return true;
        }
        return memberRoleIds != null && memberRoleIds.stream().anyMatch(roleIds::contains);
    }

    /** Whether anyone at all is allowed. */
    public boolean configured() {
        return !userIds.isEmpty() || !roleIds.isEmpty();
    }

    private static List<String> split(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return List.of(csv.split("[,\\s]+"));
    }

    private static Set<String> clean(Collection<String> ids) {
        if (ids == null) {
            return Set.of();
        }
        return ids.stream().map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }
}
