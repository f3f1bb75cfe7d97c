package io.imaginefleet.common.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates the fleet's topics and sets the share group's configuration (used by tests, the local run and tools;
 * production creates topics with Strimzi resources).
 */
public final class FleetTopology {
    private FleetTopology() {
    }

    /** Creates {@link Topics#JOBS}, {@link Topics#EVENTS} and {@link Topics#DLQ} when missing. */
    public static void ensureTopics(Admin admin, int partitions, short replication) {
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(Topics.JOBS, partitions, replication));
        topics.add(new NewTopic(Topics.EVENTS, partitions, replication));
        topics.add(new NewTopic(Topics.DLQ, 1, replication).configs(Map.of("retention.ms", String.valueOf(30L * 24 * 3600 * 1000),
                Topics.DLQ_ENABLE_CONFIG, "true")));
        createIfMissing(admin, topics);
    }

    /** Creates the given topics, ignoring those that exist. */
    public static void createIfMissing(Admin admin, Collection<NewTopic> topics) {
        try {
            var result = admin.createTopics(topics);
            for (var f : result.values().values()) {
                try {
                    f.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + topics.stream().map(NewTopic::name).toList() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets dynamic group configs, e.g. {@code share.auto.offset.reset=earliest},
     * {@code share.record.lock.duration.ms}, {@code share.delivery.count.limit}.
     */
    public static void setGroupConfig(Admin admin, String group, Map<String, String> configs) {
        ConfigResource res = new ConfigResource(ConfigResource.Type.GROUP, group);
        List<AlterConfigOp> ops = configs.entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                .toList();
        try {
            admin.incrementalAlterConfigs(Map.of(res, ops)).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring group " + group, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not configure group " + group + ": " + e.getMessage(), e);
        }
    }

    /**
     * The workers' share group configuration: it reads from the earliest offset (the default, latest, would skip jobs sent
     * before the first worker joined), and a job no worker settled within the delivery count limit goes to {@link Topics#DLQ}
     * (copied whole, replayable) instead of being archived silently by the broker.
     */
    public static Map<String, String> workerGroupConfig() {
        return Map.of("share.auto.offset.reset", "earliest",
                Topics.GROUP_DLQ_TOPIC_CONFIG, Topics.DLQ,
                Topics.GROUP_DLQ_COPY_CONFIG, "true");
    }

    /** Applies {@link #workerGroupConfig()} to the workers' share group. */
    public static void configureWorkerGroup(Admin admin) {
        setGroupConfig(admin, Topics.WORKER_SHARE_GROUP, workerGroupConfig());
    }
}
