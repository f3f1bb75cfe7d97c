package io.imaginefleet.worker.fleet;

import java.nio.file.Path;

/** The tiny model of the golden fixtures ({@code fixtures.dir} system property, set by surefire). */
final class TestModels {
    static final String MODEL = "tiny-sd";

    private TestModels() {
    }

    static Path fixtures() {
        String dir = System.getProperty("fixtures.dir");
        if (dir == null) {
            throw new IllegalStateException("system property fixtures.dir is not set (surefire sets it)");
        }
        return Path.of(dir);
    }

    static Path tinySd() {
        return fixtures().resolve("models/tiny-sd");
    }

    static ImageEngine engine(WorkerConfig cfg) {
        return EngineFactory.create(cfg);
    }
}
