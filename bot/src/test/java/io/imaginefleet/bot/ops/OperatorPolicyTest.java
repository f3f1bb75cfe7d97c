package io.imaginefleet.bot.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class OperatorPolicyTest {

    @Test
    void operatorsAreListedUsersOrHoldersOfAListedRole() {
        OperatorPolicy p = OperatorPolicy.parse("111, 222", "900");
        assertThat(p.isOperator("111", List.of())).isTrue();
        assertThat(p.isOperator("333", List.of("5", "900"))).isTrue();
        assertThat(p.isOperator("333", List.of("5"))).isFalse();
        assertThat(p.isOperator(null, null)).isFalse();
        assertThat(p.configured()).isTrue();
    }

    @Test
    void nobodyIsAnOperatorWhenNoneIsConfigured() {
        OperatorPolicy p = OperatorPolicy.parse("", " ");
        assertThat(p.configured()).isFalse();
        assertThat(p.isOperator("111", List.of("900"))).isFalse();
        assertThat(p.isOperator("", List.of(""))).isFalse();
    }

    @Test
    void timesAreIsoDatesOrAges() {
        Clock c = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
        assertThat(TimeArg.parse("2h", c)).isEqualTo(Instant.parse("2026-11-30T10:00:00Z"));
        assertThat(TimeArg.parse("3d", c)).isEqualTo(Instant.parse("2026-11-27T12:00:00Z"));
        assertThat(TimeArg.parse("2026-11-29", c)).isEqualTo(Instant.parse("2026-11-29T00:00:00Z"));
        assertThat(TimeArg.parse("2026-11-29T08:30", c)).isEqualTo(Instant.parse("2026-11-29T08:30:00Z"));
        Assertions.assertThatThrownBy(() -> TimeArg.parse("soon", c)).hasMessageContaining("'soon' is not a time");
    }
}
