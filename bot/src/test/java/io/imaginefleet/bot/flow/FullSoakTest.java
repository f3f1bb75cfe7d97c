package io.imaginefleet.bot.flow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The full soak ({@code mvn -Psoak -pl bot -am test}; excluded from the default run): 200 jobs by default, worker
 * SIGKILLs, a broker restart, a 20 s S3 outage and a bot restart. Options from {@code -Dsoak.*} (see
 * {@link Soak.Options}). Prints the table; fails when a job was lost or posted twice.
 */
class FullSoakTest {
    @Test
    void fullSoak() throws Exception {
        Soak.Report r = Soak.run(Soak.Options.fromSystemProperties());
        System.out.println(r.table());
        assertThat(r.ok()).as("no job lost or posted twice\n%s", r.table()).isTrue();
    }
}
