package io.imaginefleet.bot.app;

import io.imaginefleet.bot.core.FleetBot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Health: ready while the gateway is connected and the events consumer keeps up; live unless the consumer died. */
public final class BotHealth {
    private BotHealth() {}

    static HealthCheckResponseBuilder describe(String name, BotLifecycle life) {
        HealthCheckResponseBuilder b = HealthCheckResponse.named(name);
        FleetBot bot = life.bot().orElse(null);
        if (bot == null) return b.down().withData("problem", String.valueOf(life.problem()));
        return b.withData("gatewayConnected", bot.gatewayConnected()).withData("eventsLag", bot.eventsLag())
                .withData("eventsConsumer", bot.eventsAlive());
    }

    /** Ready: gateway connected, events consumer polling, lag at most {@code bot.max-events-lag}. */
    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject BotLifecycle life;

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder b = describe("imagine-bot", life);
            FleetBot bot = life.bot().orElse(null);
            if (bot == null) return b.build();
            boolean up = bot.gatewayConnected() && bot.eventsAlive() && bot.eventsLag() <= bot.settings().maxEventsLag();
            return b.status(up).build();
        }
    }

    /** Live: down when the bot could not start (e.g. Kafka unreachable at boot: a restart retries) or its events consumer died. */
    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        @Inject BotLifecycle life;

        @Override
        public HealthCheckResponse call() {
            FleetBot bot = life.bot().orElse(null);
            String problem = life.problem();
            boolean failedStart = bot == null && problem != null && problem.startsWith("start failed");
            return HealthCheckResponse.named("imagine-bot-events").status(!failedStart && (bot == null || bot.eventsAlive()))
                    .withData("problem", String.valueOf(problem)).build();
        }
    }
}
