package io.imaginefleet.bot.ops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The job queue as the workers see it, through the Admin API: per partition the log end offset, the share
 * group's start offset and its lag (jobs not yet acknowledged), and the share group's members (the workers
 * consuming now). The depth is the sum of the lags; before any worker has joined, it is every record on the
 * topic.
 */
public final class QueueInspector {

    /** One partition of {@code imagine.jobs}. lag is -1 when the broker did not report one. */
    public record PartitionDepth(int partition, long endOffset, long startOffset, long lag) {
    }

    /** One worker in the share group. */
    public record Member(String memberId, String clientId, String host, List<Integer> partitions) {
    }

    /** The whole picture. */
    public record Status(String topic, String group, String groupState, long depth, List<PartitionDepth> partitions,
                         List<Member> members) {
    }

    private final Properties clientProps;
    private final String topic;
    private final String group;
    private final long timeoutMs;

    public QueueInspector(Properties clientProps) {
        this(clientProps, OpsContract.JOBS, OpsContract.WORKER_GROUP, 15_000);
    }

    public QueueInspector(Properties clientProps, String topic, String group, long timeoutMs) {
        this.clientProps = clientProps;
        this.topic = topic;
        this.group = group;
        this.timeoutMs = timeoutMs;
    }

    public Status inspect() {
        Properties p = new Properties();
        p.putAll(clientProps);
        p.remove("group.id");
        try (Admin admin = Admin.create(p)) {
            TopicDescription td;
            try {
                td = admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS).get(topic);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    return new Status(topic, group, "no topic", 0, List.of(), List.of());
                }
                throw e;
            }
            Map<TopicPartition, OffsetSpec> specs = td.partitions().stream()
                    .collect(Collectors.toMap(i -> new TopicPartition(topic, i.partition()), i -> OffsetSpec.latest()));
            var ends = admin.listOffsets(specs).all().get(timeoutMs, TimeUnit.MILLISECONDS);
            Map<TopicPartition, OffsetSpec> earliestSpecs = specs.keySet().stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.earliest()));
            var earliest = admin.listOffsets(earliestSpecs).all().get(timeoutMs, TimeUnit.MILLISECONDS);

            Map<TopicPartition, SharePartitionOffsetInfo> shareOffsets = Map.of();
            String state = "empty";
            List<Member> members = new ArrayList<>();
            try {
                ShareGroupDescription d = admin.describeShareGroups(List.of(group)).describedGroups().get(group)
                        .get(timeoutMs, TimeUnit.MILLISECONDS);
                state = d.groupState().toString().toLowerCase();
                Collection<ShareMemberDescription> ms = d.members();
                for (ShareMemberDescription m : ms) {
                    List<Integer> parts = m.assignment().topicPartitions().stream()
                            .filter(tp -> tp.topic().equals(topic)).map(TopicPartition::partition).sorted().toList();
                    members.add(new Member(m.consumerId(), m.clientId(), m.host(), parts));
                }
                Map<TopicPartition, SharePartitionOffsetInfo> so = admin.listShareGroupOffsets(
                                Map.of(group, new ListShareGroupOffsetsSpec().topicPartitions(specs.keySet())))
                        .partitionsToOffsetInfo(group).get(timeoutMs, TimeUnit.MILLISECONDS);
                if (so != null) {
                    shareOffsets = so;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw e;
                }
                state = "no group";
            }
            Map<Integer, PartitionDepth> rows = new TreeMap<>();
            long depth = 0;
            for (TopicPartition tp : specs.keySet()) {
                long end = ends.get(tp).offset();
                SharePartitionOffsetInfo info = shareOffsets.get(tp);
                long start;
                long lag;
                if (info != null) {
                    start = info.startOffset();
                    lag = info.lag().orElse(Math.max(0, end - start));
                } else {
                    start = earliest.get(tp).offset();
                    lag = Math.max(0, end - start); // nobody has read it yet: all of it is waiting
                }
                depth += Math.max(0, lag);
                rows.put(tp.partition(), new PartitionDepth(tp.partition(), end, start, lag));
            }
            members.sort((a, b) -> a.clientId().compareTo(b.clientId()));
            return new Status(topic, group, state, depth, new ArrayList<>(rows.values()), members);
        } catch (ExecutionException e) {
            throw new OpsException("could not read the queue state of " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new OpsException("the broker did not answer within " + timeoutMs + " ms (is it reachable?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpsException("interrupted", e);
        }
    }
}
