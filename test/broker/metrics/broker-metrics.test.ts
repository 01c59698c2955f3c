/**
 * BrokerMetrics (broker/metrics/broker-metrics.ts) driven directly with fake sources: the
 * scrape-time gauges follow the partitions' roles and ISRs, min.insync.replicas, the
 * purgatories and the controller; the hooks count; state reads 0 before `bind`.
 */
import t from 'tap';
import {
  BrokerMetrics,
  type BrokerMetricsSources,
} from '../../../broker/metrics/broker-metrics.js';
import { offsetKey } from '../../../broker/group/group-metadata.js';
import { sample } from '../../helpers/prometheus.js';

function partition(
  topic: string,
  index: number,
  leader: boolean,
  replicas: number[],
  isr: number[],
) {
  return {
    topicPartition: { topic, partition: index },
    isLeader: leader,
    replicas,
    isr,
    highWatermark: 10,
    logEndOffset: 12,
    logStartOffset: 2,
    log: { size: 4096 },
  };
}

t.test('gauges at scrape time, counters from the hooks', async (t) => {
  const metrics = new BrokerMetrics({
    brokerId: 2,
    listener: 'PLAINTEXT',
    collectProcessMetrics: false,
  });
  t.equal(
    sample(await metrics.metrics(), 'kafka_server_replicamanager_partitioncount'),
    0,
    'state gauges read 0 before bind',
  );

  let active = true;
  const sources: BrokerMetricsSources = {
    partitions: () => [
      partition('a', 0, true, [2, 1, 3], [2, 1, 3]), // fine
      partition('a', 1, true, [2, 1, 3], [2, 1]), // under-replicated, at min ISR (2)
      partition('a', 2, true, [2, 1, 3], [2]), // under-replicated and under min ISR
      partition('b', 0, false, [1, 2], [1]), // a follower: not counted as under-replicated here
    ],
    minInsyncReplicas: (topic) => (topic === 'a' ? 2 : 1),
    purgatorySizes: () => ({ produce: 3, fetch: 7 }),
    controller: () => (active ? { offlinePartitions: 1, topics: 2, partitions: 4 } : undefined),
    committedOffsets: () => [
      {
        group: 'g',
        offsets: new Map([
          [offsetKey('a', 0), { offset: 4n }],
          [offsetKey('z', 0), { offset: 1n }],
        ]),
      },
    ],
    connections: () => 5,
  };
  metrics.bind(sources);
  metrics.topicHooks.recordsAppended({ topic: 'a', partition: 0 }, 3, 300);
  metrics.topicHooks.recordsAppended({ topic: 'a', partition: 1 }, 2, 200);
  metrics.topicHooks.recordsFetched({ topic: 'a', partition: 0 }, 150);
  metrics.networkHooks.requestCompleted(0, 0.002); // Produce
  metrics.networkHooks.bytesReceived(1000);
  metrics.isrHooks.isrChanged('shrink');
  metrics.isrHooks.isrChanged('shrink');
  metrics.isrHooks.isrChanged('expand');

  const text = await metrics.metrics();
  const v = (name: string, labels?: Record<string, string>) => sample(text, name, labels);
  t.equal(v('kafka_server_brokertopicmetrics_messagesin_total', { topic: 'a', broker: '2' }), 5);
  t.equal(v('kafka_server_brokertopicmetrics_bytesin_total', { topic: 'a' }), 500);
  t.equal(v('kafka_server_brokertopicmetrics_bytesout_total', { topic: 'a' }), 150);
  t.equal(v('kafka_network_requestmetrics_requests_total', { request: 'Produce' }), 1);
  t.equal(
    v('kafka_network_requestmetrics_totaltime_seconds_bucket', {
      request: 'Produce',
      le: '0.0025',
    }),
    1,
  );
  t.equal(
    v('kafka_network_requestmetrics_totaltime_seconds_bucket', { request: 'Produce', le: '0.001' }),
    0,
  );
  t.equal(
    v('kafka_server_socket_server_metrics_incoming_byte_total', { listener: 'PLAINTEXT' }),
    1000,
  );
  t.equal(v('kafka_server_socket_server_metrics_connection_count'), 5);
  t.equal(v('kafka_server_replicamanager_isrshrinks_total'), 2);
  t.equal(v('kafka_server_replicamanager_isrexpands_total'), 1);
  t.equal(v('kafka_server_replicamanager_partitioncount'), 4);
  t.equal(v('kafka_server_replicamanager_leadercount'), 3);
  t.equal(v('kafka_server_replicamanager_underreplicatedpartitions'), 2);
  t.equal(v('kafka_server_replicamanager_underminisrpartitioncount'), 1);
  t.equal(v('kafka_server_replicamanager_atminisrpartitioncount'), 1);
  t.equal(
    v('kafka_server_delayedoperationpurgatory_purgatorysize', { delayedOperation: 'Produce' }),
    3,
  );
  t.equal(
    v('kafka_server_delayedoperationpurgatory_purgatorysize', { delayedOperation: 'Fetch' }),
    7,
  );
  t.equal(v('kafka_controller_kafkacontroller_activecontrollercount'), 1);
  t.equal(v('kafka_controller_kafkacontroller_offlinepartitionscount'), 1);
  t.equal(v('kafka_controller_kafkacontroller_globalpartitioncount'), 4);
  t.equal(v('kafka_log_log_size', { topic: 'a', partition: '2' }), 4096);
  t.equal(v('kafka_log_log_logendoffset', { topic: 'b', partition: '0' }), 12);
  t.equal(v('kafka_log_log_logstartoffset', { topic: 'b', partition: '0' }), 2);
  const g = { consumergroup: 'g', topic: 'a', partition: '0' };
  t.equal(v('kafka_consumergroup_current_offset', g), 4);
  t.equal(v('kafka_consumergroup_lag', g), 6, 'high watermark 10 - committed 4');
  t.equal(v('kafka_consumergroup_current_offset', { consumergroup: 'g', topic: 'z' }), 1);
  t.equal(
    v('kafka_consumergroup_lag', { consumergroup: 'g', topic: 'z' }),
    undefined,
    'no lag for a partition not hosted here',
  );

  active = false;
  const after = await metrics.metrics();
  t.equal(sample(after, 'kafka_controller_kafkacontroller_activecontrollercount'), 0);
  t.equal(sample(after, 'kafka_controller_kafkacontroller_offlinepartitionscount'), 0);

  metrics.topicHooks.recordsAppended({ topic: 'kept', partition: 0 }, 1, 10);
  metrics.forgetDeletedTopics((topic) => topic === 'kept');
  const forgotten = await metrics.metrics();
  const messagesIn = 'kafka_server_brokertopicmetrics_messagesin_total';
  t.equal(sample(forgotten, messagesIn, { topic: 'a' }), undefined, 'deleted topic dropped');
  t.equal(sample(forgotten, messagesIn, { topic: 'kept' }), 1, 'existing topic kept');
});
