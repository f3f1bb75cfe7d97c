package io.imaginefleet.worker.fleet;

import io.imaginefleet.common.embedded.EmbeddedKafka;
import io.imaginefleet.common.kafka.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Workers dead-letter a job one delivery before the share group's delivery count limit, where the broker would archive
 * it without any event (the job lost without a word): the limit is read from the real broker.
 */
class DeliveryLimitTest {
    @Test
    void theAttemptLimitStaysBelowTheShareGroupsDeliveryLimit() {
        FleetServers servers = FleetServers.get();
        WorkerConfig config = servers.workerConfig("limit-reader", TestModels.tinySd());
        Integer groupLimit = Worker.prepareShareGroup(config);
        assertThat(groupLimit).isEqualTo(5); // FleetServers sets share.delivery.count.limit=5 on the workers' group
        assertThat(JobConsumer.effectiveMaxAttempts(4, groupLimit)).isEqualTo(4);
        assertThat(JobConsumer.effectiveMaxAttempts(5, groupLimit)).isEqualTo(4);
        assertThat(JobConsumer.effectiveMaxAttempts(8, groupLimit)).isEqualTo(4);
        assertThat(JobConsumer.effectiveMaxAttempts(8, null)).isEqualTo(8);
    }

    @Test
    void onAFreshClusterTheWorkerSetsItsGroupToStartFromTheEarliestJob() throws Exception {
        FleetServers servers = FleetServers.get();
        WorkerConfig base = servers.workerConfig("fresh-cluster", TestModels.tinySd());
        try (EmbeddedKafka fresh = EmbeddedKafka.temporary().start()) {
            WorkerConfig config = new WorkerConfig(base.workerId(), fresh.bootstrapServers(), base.s3(), base.modelDir(), null, null,
                    base.modelCache(), "cpu", base.maxAttempts(), base.progressEvery(), base.drainGrace(), base.maxInputPixels());
            assertThat(Worker.prepareShareGroup(config)).isEqualTo(5); // the broker's default
            ConfigResource group = new ConfigResource(ConfigResource.Type.GROUP, Topics.WORKER_SHARE_GROUP);
            try (Admin admin = fresh.admin()) {
                assertThat(admin.describeConfigs(List.of(group)).all().get(15, TimeUnit.SECONDS).get(group)
                        .get("share.auto.offset.reset").value()).isEqualTo("earliest");
            }
        }
    }
}
