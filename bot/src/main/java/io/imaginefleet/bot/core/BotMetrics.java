package io.imaginefleet.bot.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** The bot's Prometheus metrics (names {@code imagine_bot_*}). */
public final class BotMetrics {
    private final MeterRegistry registry;

    public BotMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void submitted(String kind) {
        Counter.builder("imagine.bot.jobs.submitted").tag("kind", kind).register(registry).increment();
    }

    public void refused(String reason) {
        Counter.builder("imagine.bot.jobs.refused").tag("reason", reason).register(registry).increment();
    }

    public void posted(String outcome) {
        Counter.builder("imagine.bot.results.posted").tag("outcome", outcome).register(registry).increment();
    }

    public void duplicateEvent() {
        Counter.builder("imagine.bot.events.duplicate").register(registry).increment();
    }

    public void gauges(Supplier<Number> lag, Supplier<Number> connected, Supplier<Number> inFlight) {
        Gauge.builder("imagine.bot.events.lag", lag, s -> s.get().doubleValue()).strongReference(true)
                .description("imagine.events records not yet consumed by this bot").register(registry);
        Gauge.builder("imagine.bot.gateway.connected", connected, s -> s.get().doubleValue()).strongReference(true)
                .description("1 while the Discord gateway is connected").register(registry);
        Gauge.builder("imagine.bot.jobs.in.flight", inFlight, s -> s.get().doubleValue()).strongReference(true)
                .description("jobs submitted by this bot and not finished").register(registry);
    }
}
