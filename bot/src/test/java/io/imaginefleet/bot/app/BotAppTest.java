package io.imaginefleet.bot.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.imaginefleet.bot.discord.DiscordStandIn;
import io.imaginefleet.bot.discord.DiscordStandIn.Interaction;
import io.imaginefleet.bot.discord.DiscordStandIn.Option;
import io.imaginefleet.bot.discord.DiscordStandIn.User;
import io.imaginefleet.bot.discord.RestCall;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The packaged Quarkus app, configured only through properties/environment, serves Discord through the stand-in. */
@QuarkusTest
@QuarkusTestResource(BotAppResources.class)
class BotAppTest {
    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    static HttpResponse<String> get(URL url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void appConnectsRegistersAllFamiliesReportsHealthAndQueuesImagine() throws Exception {
        HttpResponse<String> health = null;
        long end = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < end) {
            health = get(ready);
            if (health.statusCode() == 200) break;
            Thread.sleep(250);
        }
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("gatewayConnected").contains("eventsLag");

        DiscordStandIn d = BotAppResources.discord;
        RestCall registered = d.await(c -> c.method().equals("PUT") && c.path().endsWith("/commands"), Duration.ofSeconds(5));
        assertThat(registered.json().findValuesAsText("name")).contains("imagine", "inpaint", "upscale", "Upscale image", "jobs", "admin");

        Interaction i = d.slash(new User(8001, "app-user"), "imagine", Option.string("prompt", "a packaged bot"));
        d.await(c -> i.token().equals(c.token()) && c.content().contains("queued — position"), Duration.ofSeconds(30));

        String m = get(metrics).body();
        assertThat(m).contains("imagine_bot_jobs_submitted").contains("imagine_bot_gateway_connected 1.0").contains("imagine_bot_events_lag 0.0");
    }
}
