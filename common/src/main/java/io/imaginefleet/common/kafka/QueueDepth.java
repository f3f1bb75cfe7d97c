package io.imaginefleet.common.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.common.TopicPartition;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How many jobs wait in {@link Topics#JOBS} for the share group {@link Topics#WORKER_SHARE_GROUP}: the sum over
 * partitions of the broker-reported share-partition lag (records from the group's start offset to the end of the
 * log that are not yet acknowledged, including those in flight). This is the autoscaling metric
 * {@code imagine_queue_depth}.
 */
public final class QueueDepth {
    private QueueDepth() {
    }

    /** The depth, or -1 when the broker reports no lag (group unknown yet). Throws on connection failure. */
    public static long jobsWaiting(Admin admin) throws Exception {
        return lag(admin, Topics.WORKER_SHARE_GROUP, Topics.JOBS);
    }

    /** Total lag of share group {@code group} on {@code topic}, or -1 when the broker reports none. */
    public static long lag(Admin admin, String group, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                .get(topic).partitions().size();
        List<TopicPartition> tps = new java.util.ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        Map<TopicPartition, SharePartitionOffsetInfo> info = admin
                .listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec().topicPartitions(tps)))
                .partitionsToOffsetInfo(group).get(10, TimeUnit.SECONDS);
        long total = 0;
        boolean any = false;
        for (SharePartitionOffsetInfo i : info.values()) {
            if (i != null && i.lag().isPresent()) {
                total += i.lag().get();
                any = true;
            }
        }
        return any ? total : -1;
    }
}
