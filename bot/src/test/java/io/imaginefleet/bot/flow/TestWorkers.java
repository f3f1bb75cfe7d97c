package io.imaginefleet.bot.flow;

/** The worker the flow tests run against. */
final class TestWorkers {
    private TestWorkers() {}

    static AutoCloseable start(FleetEnv env) {
        return new ScriptedWorker(env.kafka.bootstrapServers(), env.blobs);
    }
}
