/**
 * The ElectLeaders API (KIP-460, API key 43) with real processes: a coordinator and three
 * brokers, auto.leader.rebalance.enable=false so that only the request moves leadership.
 * None of the clients installed here has an admin call for it (kafkajs and @platformatic/kafka
 * have none, kafka-python 2.0.2 and confluent-kafka 1.7 neither), so the request goes through
 * our own protocol client, src/kafka-client.ts, encoded by the generated codecs: the bytes
 * `kafka-leader-election.sh --bootstrap-server` would send.
 *
 * The preferred replica stops (a controlled shutdown moves leadership away) and comes back as
 * a follower; a preferred election sent to a broker that is not the controller gets
 * NOT_CONTROLLER; sent to the controller it makes the preferred replica leader again; sent
 * once more it answers ELECTION_NOT_NEEDED, and so does an unclean election of a partition
 * that has a leader.
 */
import t from 'tap';
import { KafkaClient } from '../../src/kafka-client.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import {
  cli,
  createTopic,
  partitionState,
  restart,
  startCluster,
  waitFor,
  type Cluster,
} from '../helpers/replication-cluster.js';

// Process starts and session expiries: beyond the 120 s per file of package.json when the
// machine is loaded.
t.setTimeout(300_000);

const PREFERRED = 0;
const UNCLEAN = 1;

async function getJson(cluster: Cluster, path: string): Promise<Record<string, unknown>> {
  const { stdout } = await cli(cluster, ['get', path]);
  return JSON.parse(stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1));
}

t.test('ElectLeaders: preferred and unclean elections through the API', async (t) => {
  const cluster = await startCluster(t, ['auto.leader.rebalance.enable=false']);
  await createTopic(cluster, 'el', 1);
  const assignment = (await getJson(cluster, '/brokers/topics/el')).partitions as Record<
    string,
    number[]
  >;
  const preferred = assignment['0']![0]!;
  await waitFor('a full ISR', async () => {
    const s = await partitionState(cluster, 'el', 0);
    return s.isr.length === 3 && s.leader === preferred ? s : undefined;
  });

  // Controlled shutdown of the preferred leader, then back as a follower.
  const stopped = cluster.brokers.get(preferred)!;
  await stopped.kill('SIGTERM');
  cluster.brokers.delete(preferred);
  await restart(t, cluster, stopped);
  const moved = await waitFor('the preferred replica back in the ISR', async () => {
    const s = await partitionState(cluster, 'el', 0);
    return s.isr.includes(preferred) ? s : undefined;
  });
  t.not(moved.leader, preferred, 'another replica leads after the restart');

  const client = new KafkaClient(
    [...cluster.brokers.values()].map((b) => ({ nodeId: b.id, host: '127.0.0.1', port: b.port })),
    { clientId: 'elect-leaders-test' },
  );
  t.teardown(() => client.close());
  const controllerId = (await getJson(cluster, '/controller')).brokerid as number;
  const other = [...cluster.brokers.keys()].find((id) => id !== controllerId)!;
  const electPreferred = (nodeId: number) =>
    client.send(nodeId, ApiKey.ElectLeaders, 2, {
      electionType: PREFERRED,
      topicPartitions: [{ topic: 'el', partitions: [0] }],
      timeoutMs: 30_000,
    });

  const refused = await electPreferred(other);
  t.equal(refused.errorCode, ErrorCode.NOT_CONTROLLER, 'a broker that is not the controller');

  const elected = await electPreferred(controllerId);
  t.equal(elected.errorCode, ErrorCode.NONE);
  t.same(
    elected.replicaElectionResults.map((r) => ({
      topic: r.topic,
      results: r.partitionResult.map((p) => [p.partitionId, p.errorCode, p.errorMessage]),
    })),
    [{ topic: 'el', results: [[0, ErrorCode.NONE, null]] }],
    'the preferred election of el-0 succeeded',
  );
  const after = await partitionState(cluster, 'el', 0);
  t.equal(after.leader, preferred, 'the preferred replica leads again');
  t.ok(after.leader_epoch > moved.leader_epoch, 'with a new leader epoch');

  const again = await electPreferred(controllerId);
  t.equal(
    again.replicaElectionResults[0]?.partitionResult[0]?.errorCode,
    ErrorCode.ELECTION_NOT_NEEDED,
    'a second preferred election: ELECTION_NOT_NEEDED',
  );
  const unclean = await client.send(controllerId, ApiKey.ElectLeaders, 2, {
    electionType: UNCLEAN,
    topicPartitions: [{ topic: 'el', partitions: [0] }],
    timeoutMs: 30_000,
  });
  t.equal(
    unclean.replicaElectionResults[0]?.partitionResult[0]?.errorCode,
    ErrorCode.ELECTION_NOT_NEEDED,
    'an unclean election of a partition with a live leader: ELECTION_NOT_NEEDED',
  );
});
