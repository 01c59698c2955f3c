/**
 * The dashboard's actions, each done the classic (ZooKeeper-era) way, as Kafka's own tools
 * did with `--zookeeper`:
 *
 *   create-topic         /config/topics/<t>, then /brokers/topics/<t> (AdminZkClient, as
 *                        kafka-topics.sh --create); the controller elects leaders
 *   add-partitions       /brokers/topics/<t> rewritten with more partitions (--alter)
 *   alter-topic-config   /config/topics/<t> rewritten, then a sequential
 *                        /config/changes/config_change_<n> {"version":2,"entity_path":
 *                        "topics/<t>"} that tells every broker to re-read it (kafka-configs.sh)
 *   reassign-partitions  /admin/reassign_partitions with Kafka's plan JSON
 *                        (kafka-reassign-partitions.sh --execute); refused while one runs
 *   preferred-election   /admin/preferred_replica_election
 *                        (kafka-preferred-replica-election.sh)
 *   reset-offsets        OffsetCommit for an inactive group (kafka-consumer-groups.sh
 *                        --reset-offsets --execute; src/kafka-admin/groups-admin.ts)
 *
 * Each returns `{ ok, message }` for the page to show; a refusal carries the reason in
 * Kafka's words. Validation that needs only the cluster view is a pure function here
 * (`checkReassignmentPlan`), so it is tested without a cluster.
 */
import type { CoordinatorClient } from '../coordinator-client/client.js';
import { ErrorCode as KeeperCode, hasCode } from '../protocol/coordinator/errors.js';
import { errorForCode, ErrorCode } from '../protocol/kafka/errors.js';
import { addPartitions, createTopic } from '../kafka-zk/admin-zk-client.js';
import {
  commitOffsets,
  GroupCommandError,
  planOffsetReset,
  type ResetSpec,
} from '../kafka-admin/groups-admin.js';
import { KafkaClient } from '../kafka-client.js';
import {
  ConfigChangesZNode,
  PreferredReplicaElectionZNode,
  ReassignPartitionsZNode,
  TopicConfigZNode,
  type PartitionReassignmentRequest,
} from '../znodes.js';
import {
  kafkaClientSecurity,
  liveBrokerAddresses,
  PLAINTEXT_ACCESS,
  type BrokerAccess,
} from './broker-access.js';
import type { ClusterView } from './cluster-model.js';

export interface ActionResult {
  ok: boolean;
  message: string;
}

const done = (message: string): ActionResult => ({ ok: true, message });
const refused = (message: string): ActionResult => ({ ok: false, message });

/** `/config/changes/config_change_`: the prefix of the sequential change notifications. */
export const CONFIG_CHANGE_PREFIX = `${ConfigChangesZNode.path}/config_change_`;

/** Kafka's JSON for a reassignment plan, as kafka-reassign-partitions.sh prints and reads. */
export function reassignmentPlanJson(plan: readonly PartitionReassignmentRequest[]): string {
  return JSON.stringify({
    version: 1,
    partitions: plan.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      replicas: p.replicas,
      log_dirs: p.replicas.map(() => 'any'),
    })),
  });
}

/** Why a plan cannot run, in the tool's words, or null when it can. */
export function checkReassignmentPlan(
  view: ClusterView,
  plan: readonly PartitionReassignmentRequest[],
): string | null {
  if (plan.length === 0) return 'the plan lists no partitions';
  if (view.reassignments.length > 0) return 'There is an existing assignment running.';
  const live = new Set(view.brokers.filter((b) => b.alive).map((b) => b.id));
  const seen = new Set<string>();
  for (const p of plan) {
    const name = `${p.topic}-${p.partition}`;
    if (seen.has(name)) return `partition ${name} is listed twice`;
    seen.add(name);
    const topic = view.topics.find((t) => t.name === p.topic);
    if (!topic?.partitions.some((x) => x.partition === p.partition))
      return `partition ${name} does not exist`;
    if (p.replicas.length === 0) return `empty replica list for ${name}`;
    if (new Set(p.replicas).size !== p.replicas.length)
      return `duplicate replicas for ${name}: ${p.replicas.join(',')}`;
    const unknown = p.replicas.filter((r) => !live.has(r));
    if (unknown.length > 0)
      return `the proposed assignment contains non-existent broker ids: ${unknown.join(',')}`;
  }
  return null;
}

export class DashboardActions {
  readonly #client: () => CoordinatorClient;
  readonly #view: () => ClusterView;
  readonly #brokerAccess: BrokerAccess;

  constructor(options: {
    client: () => CoordinatorClient;
    view: () => ClusterView;
    brokerAccess?: BrokerAccess;
  }) {
    this.#client = options.client;
    this.#view = options.view;
    this.#brokerAccess = options.brokerAccess ?? PLAINTEXT_ACCESS;
  }

  #liveBrokerIds(): number[] {
    return this.#view()
      .brokers.filter((b) => b.alive)
      .map((b) => b.id);
  }

  async createTopic(o: {
    topic: string;
    partitions: number;
    replicationFactor: number;
    config?: Record<string, string>;
  }): Promise<ActionResult> {
    const result = await createTopic(this.#client(), {
      topic: o.topic,
      partitions: o.partitions,
      replicationFactor: o.replicationFactor,
      config: o.config,
      brokerIds: this.#liveBrokerIds(),
    });
    if (result.errorCode !== ErrorCode.NONE)
      return refused(`${errorForCode(result.errorCode).name}: ${result.errorMessage}`);
    return done(
      `created ${o.topic}: wrote /config/topics/${o.topic} and /brokers/topics/${o.topic}`,
    );
  }

  async addPartitions(o: { topic: string; totalPartitions: number }): Promise<ActionResult> {
    const result = await addPartitions(this.#client(), {
      topic: o.topic,
      totalPartitions: o.totalPartitions,
      brokerIds: this.#liveBrokerIds(),
    });
    if (result.errorCode !== ErrorCode.NONE)
      return refused(`${errorForCode(result.errorCode).name}: ${result.errorMessage}`);
    return done(`${o.topic} now has ${o.totalPartitions} partitions (/brokers/topics/${o.topic})`);
  }

  async alterTopicConfig(o: {
    topic: string;
    config: Record<string, string>;
  }): Promise<ActionResult> {
    const client = this.#client();
    const path = TopicConfigZNode.path(o.topic);
    if (!this.#view().topics.some((t) => t.name === o.topic))
      return refused(`UNKNOWN_TOPIC_OR_PARTITION: Topic '${o.topic}' does not exist.`);
    for (const [k, v] of Object.entries(o.config)) {
      if (!/^[a-z0-9.]+$/.test(k) || typeof v !== 'string')
        return refused(`INVALID_CONFIG: bad config ${JSON.stringify(k)}`);
    }
    try {
      await client.setData(path, TopicConfigZNode.encode(o.config));
    } catch (err) {
      if (!hasCode(err, KeeperCode.NONODE)) throw err;
      await client.create(path, TopicConfigZNode.encode(o.config));
    }
    const change = await client.create(
      CONFIG_CHANGE_PREFIX,
      JSON.stringify({ version: 2, entity_path: `topics/${o.topic}` }),
      { mode: 'persistent_sequential' },
    );
    return done(`wrote ${path} and ${change}`);
  }

  async reassign(plan: PartitionReassignmentRequest[]): Promise<ActionResult> {
    const problem = checkReassignmentPlan(this.#view(), plan);
    if (problem) return refused(problem);
    try {
      await this.#client().create(
        ReassignPartitionsZNode.path,
        ReassignPartitionsZNode.encode(plan),
      );
    } catch (err) {
      if (hasCode(err, KeeperCode.NODEEXISTS))
        return refused('There is an existing assignment running.');
      throw err;
    }
    return done(`wrote ${ReassignPartitionsZNode.path}: ${reassignmentPlanJson(plan)}`);
  }

  async preferredElection(
    partitions?: { topic: string; partition: number }[],
  ): Promise<ActionResult> {
    const all =
      partitions ??
      this.#view().topics.flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.name, partition: p.partition })),
      );
    if (all.length === 0) return refused('there are no partitions');
    try {
      await this.#client().create(
        PreferredReplicaElectionZNode.path,
        PreferredReplicaElectionZNode.encode(all),
      );
    } catch (err) {
      if (hasCode(err, KeeperCode.NODEEXISTS))
        return refused('Preferred replica leader election is already in progress');
      throw err;
    }
    return done(`wrote ${PreferredReplicaElectionZNode.path} for ${all.length} partitions`);
  }

  async resetOffsets(o: {
    groupId: string;
    topic: string;
    spec: ResetSpec;
  }): Promise<ActionResult> {
    // A leader or the group's coordinator that just moved (a preferred election a moment ago)
    // answers with a retriable error: like Kafka's admin client, plan again on fresh
    // connections after a back-off, a few times.
    for (let attempt = 1; ; attempt++) {
      const live = liveBrokerAddresses(this.#view(), this.#brokerAccess);
      const kafka = new KafkaClient(live, {
        clientId: 'samsa-dashboard',
        requestTimeoutMs: 10_000,
        ...kafkaClientSecurity(this.#brokerAccess),
      });
      try {
        const planned = await planOffsetReset(kafka, o.groupId, o.topic, o.spec);
        await commitOffsets(kafka, o.groupId, planned);
        return done(
          `committed ${o.groupId}: ` +
            planned.map((p) => `${p.topic}-${p.partition} → ${p.newOffset}`).join(', '),
        );
      } catch (err) {
        const code = err instanceof GroupCommandError ? err.errorCode : undefined;
        if (code === undefined || !RESET_RETRIABLE.has(code) || attempt >= RESET_ATTEMPTS) {
          return refused((err as Error).message);
        }
      } finally {
        kafka.close();
      }
      await new Promise((resolve) => setTimeout(resolve, RESET_RETRY_BACKOFF_MS));
    }
  }
}

/** Errors after which a reset is planned again: leadership or the coordinator moved. */
const RESET_RETRIABLE: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
]);
const RESET_ATTEMPTS = 10;
const RESET_RETRY_BACKOFF_MS = 500;
