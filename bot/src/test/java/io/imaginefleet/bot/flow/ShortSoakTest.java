package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The short soak of the default suite: 50 /imagine jobs through the bot and two worker JVMs on the tiny model,
 * two workers SIGKILLed and restarted, the broker restarted once. No job may be lost or posted twice. The full soak
 * (200 jobs, S3 outage, bot restart) is {@code bin/soak} / {@code mvn -Psoak}.
 */
class ShortSoakTest {
    @Test
    void fiftyJobsSurviveWorkerKillsAndABrokerRestart() throws Exception {
        Soak.Report r = Soak.run(new Soak.Options(50, 2, 2, true, false, Duration.ZERO, false, Duration.ofMillis(100),
                Duration.ofMinutes(4), 7L));
        System.out.println(r.table());
        assertThat(r.workerKills()).isGreaterThanOrEqualTo(2);
        assertThat(r.brokerRestarts()).isEqualTo(1);
        assertThat(r.lost()).as("lost jobs\n%s", r.table()).isZero();
        assertThat(r.postedTwice()).as("jobs posted twice\n%s", r.table()).isZero();
        assertThat(r.completed() + r.failed() + r.refused() + r.lost()).isEqualTo(50);
        assertThat(r.refused()).as("a broker restart alone refuses no job (the producer rides it out)\n%s", r.table()).isZero();
        assertThat(r.completed()).as("most jobs complete\n%s", r.table()).isGreaterThanOrEqualTo(40);
    }
}
