package io.imaginefleet.common.embedded;

import io.imaginefleet.common.kafka.FleetTopology;
import io.imaginefleet.common.kafka.KafkaSettings;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A single-node Apache Kafka 4.4 broker (KRaft, combined broker + controller) in this JVM, for tests and the local
 * run. Replication factor 1 for every internal topic (offsets, transactions, share-coordinator state), fast share
 * heartbeats, a low minimum record-lock duration so tests can shorten the share group's lock. {@link #stop()} and
 * {@link #start()} again reuse the same log directory and ports (a broker restart). Needs {@code kafka_2.13} and
 * {@code kafka-server} on the classpath (provided scope in the apps).
 * <p>
 * {@link #fromEnvOrStart(Path)} returns a handle on an external broker instead when {@code KAFKA_BOOTSTRAP_SERVERS}
 * is set (developers with Docker may point tests at a real one).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final Path logDir;
    private final boolean deleteOnClose;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private final String external;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path logDir, boolean deleteOnClose, Map<String, String> overrides, String external) {
        this.logDir = logDir;
        this.deleteOnClose = deleteOnClose;
        this.overrides = Map.copyOf(overrides);
        this.external = external;
        this.port = external == null ? FreePorts.pick() : -1;
        this.controllerPort = external == null ? FreePorts.pick() : -1;
    }

    /** A broker with its log under {@code logDir} (created and formatted if needed); not started yet. */
    public static EmbeddedKafka at(Path logDir) {
        return new EmbeddedKafka(logDir, false, Map.of(), null);
    }

    /** As {@link #at(Path)} with extra broker settings (e.g. {@code group.share.record.lock.duration.ms}). */
    public static EmbeddedKafka at(Path logDir, Map<String, String> brokerOverrides) {
        return new EmbeddedKafka(logDir, false, brokerOverrides, null);
    }

    /** A broker in a fresh temporary directory deleted on {@link #close()}; not started yet. */
    public static EmbeddedKafka temporary() {
        try {
            return new EmbeddedKafka(Files.createTempDirectory("embedded-kafka"), true, Map.of(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The broker named by env {@code KAFKA_BOOTSTRAP_SERVERS} if set (start/stop do nothing), else a started
     * temporary embedded one under {@code dirOrNull} (or a temp dir).
     */
    public static EmbeddedKafka fromEnvOrStart(Path dirOrNull) {
        String env = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (env != null && !env.isBlank()) {
            return new EmbeddedKafka(null, false, Map.of(), env);
        }
        EmbeddedKafka k = dirOrNull == null ? temporary() : at(dirOrNull);
        k.start();
        return k;
    }

    /** True when this handle points at an external broker (restart tests should skip). */
    public boolean isExternal() {
        return external != null;
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return external != null ? external : "127.0.0.1:" + port;
    }

    public Path logDir() {
        return logDir;
    }

    public synchronized boolean isRunning() {
        return external != null || server != null;
    }

    /** Formats the log directory on first use and starts the broker; returns when clients can connect. */
    public synchronized EmbeddedKafka start() {
        if (external != null || server != null) {
            return this;
        }
        try {
            Files.createDirectories(logDir);
            Map<String, String> props = config();
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(props);
            }
            KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            s.startup();
            server = s;
            awaitPort(port, 30_000);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded Kafka in " + logDir, e);
        }
    }

    /** Stops the broker (keeps the log directory for a later {@link #start()}). */
    public synchronized void stop() {
        if (server != null) {
            KafkaRaftServer s = server;
            server = null;
            s.shutdown();
            s.awaitShutdown();
        }
    }

    /** Stop and start again on the same log directory and ports. */
    public void restart() {
        stop();
        start();
    }

    /** An admin client on this broker (caller closes it). */
    public Admin admin() {
        return Admin.create(KafkaSettings.admin(bootstrapServers()));
    }

    /** Creates the fleet topics and sets the worker share group to read from earliest. */
    public void createFleetTopics(int partitions) {
        try (Admin a = admin()) {
            FleetTopology.ensureTopics(a, partitions, (short) 1);
            FleetTopology.configureWorkerGroup(a);
        }
    }

    /** Sets group configs, e.g. {@code share.auto.offset.reset=earliest} or {@code share.record.lock.duration.ms}. */
    public void setGroupConfig(String group, Map<String, String> configs) {
        try (Admin a = admin()) {
            FleetTopology.setGroupConfig(a, group, configs);
        }
    }

    /** Sets {@code share.auto.offset.reset=earliest} for {@code group}. */
    public void shareGroupFromEarliest(String group) {
        setGroupConfig(group, Map.of("share.auto.offset.reset", "earliest"));
    }

    private Map<String, String> config() {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "true");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("group.share.heartbeat.interval.ms", "500");
        p.put("group.share.min.heartbeat.interval.ms", "500");
        p.put("group.share.session.timeout.ms", "6000");
        p.put("group.share.min.session.timeout.ms", "6000");
        p.put("group.share.min.record.lock.duration.ms", "1000");
        p.put("group.consumer.heartbeat.interval.ms", "500");
        p.put("group.consumer.min.heartbeat.interval.ms", "500");
        p.put("group.consumer.session.timeout.ms", "6000");
        p.put("group.consumer.min.session.timeout.ms", "6000");
        p.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
        p.put("unclean.leader.election.enable", "true");
        p.putAll(overrides);
        return p;
    }

    private void format(Map<String, String> props) throws IOException {
        Path file = logDir.resolve("../" + logDir.getFileName() + "-server.properties").normalize();
        Properties pp = new Properties();
        pp.putAll(props);
        try (Writer w = Files.newBufferedWriter(file)) {
            pp.store(w, "embedded kafka");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", file.toString()}, ps);
        } finally {
            Files.deleteIfExists(file);
        }
        if (rc != 0) {
            throw new IllegalStateException("kafka storage format failed (" + rc + "): " + out.toString(StandardCharsets.UTF_8));
        }
    }

    private static void awaitPort(int port, long timeoutMs) {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException("embedded Kafka did not open port " + port + " within " + timeoutMs + " ms");
    }

    /** Stops the broker; deletes the log directory when it was temporary. */
    @Override
    public void close() {
        stop();
        if (deleteOnClose && logDir != null) {
            deleteTree(logDir);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
