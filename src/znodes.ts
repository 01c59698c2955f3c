/**
 * The znode layout of ZooKeeper-mode Kafka: every path the brokers, the controller and the
 * coordinator CLI read or write, with the exact JSON Kafka 2.x puts in it. One object per
 * znode with `path(...)`, `encode(...)` and `decode(...)`, as Kafka's `ZkData.scala` does, so
 * the layout lives in one file (docs/znodes.md is the annotated tour).
 *
 *   /cluster/id                                  {"version":"1","id":"<22-char base64url>"}
 *   /controller                      (ephemeral) {"version":1,"brokerid":1,"timestamp":"..."}
 *   /controller_epoch                            7   (plain decimal text)
 *   /brokers/ids/<id>                (ephemeral) registration JSON, version 5
 *   /brokers/seqid                               empty; its stat version is a counter
 *   /brokers/topics/<t>                          {"version":2,"partitions":{"0":[1,2]},
 *                                                 "adding_replicas":{},"removing_replicas":{}}
 *   /brokers/topics/<t>/partitions/<p>/state     {"controller_epoch":3,"leader":1,"version":1,
 *                                                 "leader_epoch":5,"isr":[1,2]}
 *   /admin/delete_topics/<t>                     empty: "please delete t"
 *   /admin/reassign_partitions                   {"version":1,"partitions":[{"topic","partition",
 *                                                 "replicas":[2,3]}]}
 *   /admin/preferred_replica_election            {"version":1,"partitions":[{"topic","partition"}]}
 *   /config/topics/<t>                           {"version":1,"config":{"retention.ms":"1"}}
 *   /isr_change_notification/isr_change_<seq>    {"version":1,"partitions":[{"topic","partition"}]}
 *   /latest_producer_id_block                    {"version":1,"broker":0,"block_start":"0",
 *                                                 "block_end":"999"}
 *
 * Decoders are strict about what they need (a missing `leader` is an error, reported with
 * the path) and lenient about what they do not (unknown fields are ignored, so a znode written
 * by a newer Kafka still reads). Numbers that Kafka writes as JSON strings (timestamps, the
 * cluster id's version) stay strings here too, so a real Kafka tool reading our coordinator
 * would see what it expects.
 */

/** A znode whose content could not be understood. Carries the path for the log line. */
export class ZNodeDecodeError extends Error {
  override name = 'ZNodeDecodeError';
  readonly code = 'KB_ERR_ZNODE_DECODE';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`cannot decode ${path}: ${detail}`);
  }
}

function parseJson(path: string, bytes: Buffer | null): Record<string, unknown> {
  if (bytes === null || bytes.length === 0) throw new ZNodeDecodeError(path, 'no data');
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ZNodeDecodeError(path, (err as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ZNodeDecodeError(path, 'not a JSON object');
  }
  return value as Record<string, unknown>;
}

function intField(path: string, json: Record<string, unknown>, name: string): number {
  const value = json[name];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ZNodeDecodeError(path, `field "${name}" is not an integer`);
  }
  return value;
}

function intArray(path: string, value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isInteger(v))) {
    throw new ZNodeDecodeError(path, `${what} is not an array of integers`);
  }
  return value as number[];
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

// ---------------------------------------------------------------------------------------------
// Cluster-wide nodes

/** `/cluster/id`: written once by the first broker; its `version` is a JSON *string*. */
export const ClusterIdZNode = {
  path: '/cluster/id',
  encode(id: string): Buffer {
    return json({ version: '1', id });
  },
  decode(bytes: Buffer | null): string {
    const j = parseJson(this.path, bytes);
    if (typeof j.id !== 'string')
      throw new ZNodeDecodeError(this.path, 'field "id" is not a string');
    return j.id;
  },
};

/** `/controller`: the ephemeral node whose owner is the active controller. */
export const ControllerZNode = {
  path: '/controller',
  encode(brokerId: number, timestampMs: number): Buffer {
    return json({ version: 1, brokerid: brokerId, timestamp: String(timestampMs) });
  },
  /** The controller's broker id. */
  decode(bytes: Buffer | null): { brokerId: number; timestampMs: number } {
    const j = parseJson(this.path, bytes);
    return { brokerId: intField(this.path, j, 'brokerid'), timestampMs: Number(j.timestamp ?? -1) };
  },
};

/**
 * `/controller_epoch`: how many times a controller has been elected, as decimal text. Its
 * *znode version* is the fencing token ("epochZkVersion") every controller write checks.
 */
export const ControllerEpochZNode = {
  path: '/controller_epoch',
  encode(epoch: number): Buffer {
    return Buffer.from(String(epoch), 'utf8');
  },
  decode(bytes: Buffer | null): number {
    const text = bytes?.toString('utf8') ?? '';
    if (!/^\d+$/.test(text)) throw new ZNodeDecodeError(this.path, `not a number: "${text}"`);
    return Number(text);
  },
};

// ---------------------------------------------------------------------------------------------
// Brokers

export const BrokersZNode = { path: '/brokers' };
export const BrokerIdsZNode = { path: '/brokers/ids' };
/** `/brokers/seqid`: empty; broker id generation uses its stat version as a counter. */
export const BrokerSequenceIdZNode = { path: '/brokers/seqid' };

/** One listener of a broker, `PLAINTEXT://127.0.0.1:9092` in the registration JSON. */
export interface EndPoint {
  listenerName: string;
  host: string;
  port: number;
  securityProtocol: string;
}

/** What `/brokers/ids/<id>` holds. `epoch` is not in the JSON: it is the znode's czxid. */
export interface BrokerInfo {
  id: number;
  endpoints: EndPoint[];
  rack: string | null;
  jmxPort: number;
  timestampMs: number;
}

/** Registration JSON version 5 (Kafka 2.7+: adds `features`). */
export const BROKER_INFO_VERSION = 5;

export const BrokerIdZNode = {
  path(id: number): string {
    return `/brokers/ids/${id}`;
  },
  encode(info: BrokerInfo): Buffer {
    // host/port mirror the first PLAINTEXT endpoint for clients older than 0.10 (which read
    // these two fields only); null/-1 when there is none.
    const plaintext = info.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
    const protocolMap: Record<string, string> = {};
    for (const e of info.endpoints) protocolMap[e.listenerName] = e.securityProtocol;
    return json({
      features: {},
      listener_security_protocol_map: protocolMap,
      endpoints: info.endpoints.map((e) => `${e.listenerName}://${e.host}:${e.port}`),
      jmx_port: info.jmxPort,
      port: plaintext?.port ?? -1,
      host: plaintext?.host ?? null,
      version: BROKER_INFO_VERSION,
      timestamp: String(info.timestampMs),
      rack: info.rack,
    });
  },
  decode(id: number, bytes: Buffer | null): BrokerInfo {
    const path = this.path(id);
    const j = parseJson(path, bytes);
    const protocolMap = (j.listener_security_protocol_map ?? {}) as Record<string, string>;
    if (!Array.isArray(j.endpoints))
      throw new ZNodeDecodeError(path, 'field "endpoints" is missing');
    const endpoints = j.endpoints.map((text: unknown) => {
      const m = typeof text === 'string' ? /^([A-Za-z0-9_]+):\/\/(.*):(\d+)$/.exec(text) : null;
      if (!m) throw new ZNodeDecodeError(path, `bad endpoint ${JSON.stringify(text)}`);
      const listenerName = m[1] as string;
      return {
        listenerName,
        host: m[2] as string,
        port: Number(m[3]),
        securityProtocol: protocolMap[listenerName] ?? listenerName,
      };
    });
    return {
      id,
      endpoints,
      rack: typeof j.rack === 'string' ? j.rack : null,
      jmxPort: typeof j.jmx_port === 'number' ? j.jmx_port : -1,
      timestampMs: Number(j.timestamp ?? -1),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Topics and partitions

export const TopicsZNode = { path: '/brokers/topics' };

/** Replica lists by partition id; index 0 of each list is the preferred leader. */
export type ReplicaAssignment = Map<number, number[]>;

export interface TopicAssignment {
  partitions: ReplicaAssignment;
  /** Non-empty only while a partition is being reassigned (KIP-455). */
  addingReplicas: ReplicaAssignment;
  removingReplicas: ReplicaAssignment;
}

/**
 * The most data one znode may hold, for what brokers write: ZooKeeper's default jute.maxbuffer
 * is 0xfffff bytes for a whole request packet (path and headers included), and the coordinator
 * refuses node data over 1 MiB, so 1,000,000 bytes leaves room for the rest of the packet. A
 * topic's whole replica assignment lives in one znode, so this bounds how many partitions a
 * topic can have (about 60,000 with three replicas).
 */
export const ZNODE_DATA_BYTES_MAX = 1_000_000;

/** Decimal digits of a non-negative integer. */
function digitsOf(n: number): number {
  return n < 10 ? 1 : Math.floor(Math.log10(n)) + 1;
}

/**
 * An upper bound of `TopicZNode.encode(...).length` for partitions `0 .. partitions-1` with
 * `replicationFactor` replicas each, no broker id longer than `brokerIdDigitsMax` digits. Costs
 * O(number of digits), not O(partitions), so an absurd count from a client (2,147,483,647) is
 * measured before any work is done for it.
 */
export function topicZNodeBytesUpperBound(options: {
  partitions: number;
  replicationFactor: number;
  brokerIdDigitsMax: number;
}): number {
  const { partitions, replicationFactor, brokerIdDigitsMax } = options;
  // Each entry is `"<p>":[<id>,<id>,...],`: the partition id, 5 characters of quotes, colon,
  // brackets and comma, then the ids and the commas between them.
  const perEntry = 5 + replicationFactor * brokerIdDigitsMax + Math.max(0, replicationFactor - 1);
  let bytes = 100; // {"version":2,"partitions":{...},"adding_replicas":{},"removing_replicas":{}}
  let low = 0;
  for (let digits = 1; low < partitions; digits += 1) {
    const high = Math.min(partitions, 10 ** digits);
    bytes += (high - low) * (digits + perEntry);
    low = high;
  }
  return bytes;
}

/** The decimal digits of the longest of `ids` (at least 1). */
export function brokerIdDigitsMax(ids: Iterable<number>): number {
  let max = 1;
  for (const id of ids) max = Math.max(max, digitsOf(Math.abs(id)) + (id < 0 ? 1 : 0));
  return max;
}

/** `/brokers/topics/<t>`, version 2 (Kafka 2.4+): the replica assignment. */
export const TopicZNode = {
  path(topic: string): string {
    return `/brokers/topics/${topic}`;
  },
  /**
   * `moving` is given while partitions are being reassigned: for each such partition the
   * replicas being added (AR) and removed (RR), which Kafka 2.4+ keeps here so that a new
   * controller can resume the reassignment.
   */
  encode(
    partitions: ReplicaAssignment,
    moving: { addingReplicas?: ReplicaAssignment; removingReplicas?: ReplicaAssignment } = {},
  ): Buffer {
    const toObject = (m: ReplicaAssignment | undefined): Record<string, number[]> =>
      Object.fromEntries(
        [...(m ?? new Map<number, number[]>()).entries()]
          .filter(([, r]) => r.length > 0)
          .sort((a, b) => a[0] - b[0])
          .map(([p, r]) => [String(p), r]),
      );
    return json({
      version: 2,
      partitions: toObject(partitions),
      adding_replicas: toObject(moving.addingReplicas),
      removing_replicas: toObject(moving.removingReplicas),
    });
  },
  decode(topic: string, bytes: Buffer | null): TopicAssignment {
    const path = this.path(topic);
    const j = parseJson(path, bytes);
    const toMap = (value: unknown, what: string): ReplicaAssignment => {
      const m: ReplicaAssignment = new Map();
      if (value === undefined || value === null) return m;
      if (typeof value !== 'object') throw new ZNodeDecodeError(path, `${what} is not an object`);
      for (const [p, replicas] of Object.entries(value as Record<string, unknown>)) {
        if (!/^\d+$/.test(p)) throw new ZNodeDecodeError(path, `bad partition id "${p}"`);
        m.set(Number(p), intArray(path, replicas, `${what}.${p}`));
      }
      return m;
    };
    if (j.partitions === undefined)
      throw new ZNodeDecodeError(path, 'field "partitions" is missing');
    return {
      partitions: toMap(j.partitions, 'partitions'),
      addingReplicas: toMap(j.adding_replicas, 'adding_replicas'),
      removingReplicas: toMap(j.removing_replicas, 'removing_replicas'),
    };
  },
};

export const TopicPartitionsZNode = {
  path(topic: string): string {
    return `/brokers/topics/${topic}/partitions`;
  },
};

export const TopicPartitionZNode = {
  path(topic: string, partition: number): string {
    return `/brokers/topics/${topic}/partitions/${partition}`;
  },
};

/** The leader and ISR of one partition, as the controller last wrote it. */
export interface LeaderAndIsr {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** Epoch of the controller that wrote this state (the state itself is fenced by zkVersion). */
  controllerEpoch: number;
}

/** `leader` when no replica could be elected: the partition is offline. */
export const NO_LEADER = -1;
/** `leader` sent in UpdateMetadata (never written) for partitions of a topic being deleted. */
export const LEADER_DURING_DELETE = -2;

export const TopicPartitionStateZNode = {
  path(topic: string, partition: number): string {
    return `/brokers/topics/${topic}/partitions/${partition}/state`;
  },
  encode(state: LeaderAndIsr): Buffer {
    return json({
      controller_epoch: state.controllerEpoch,
      leader: state.leader,
      version: 1,
      leader_epoch: state.leaderEpoch,
      isr: state.isr,
    });
  },
  decode(topic: string, partition: number, bytes: Buffer | null): LeaderAndIsr {
    const path = this.path(topic, partition);
    const j = parseJson(path, bytes);
    return {
      leader: intField(path, j, 'leader'),
      leaderEpoch: intField(path, j, 'leader_epoch'),
      isr: intArray(path, j.isr, 'isr'),
      controllerEpoch: intField(path, j, 'controller_epoch'),
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Admin and config

export const AdminZNode = { path: '/admin' };
export const DeleteTopicsZNode = { path: '/admin/delete_topics' };
/** `/admin/delete_topics/<t>`: an empty node that asks the controller to delete `t`. */
export const DeleteTopicZNode = {
  path(topic: string): string {
    return `/admin/delete_topics/${topic}`;
  },
};

/** One partition's requested replicas in `/admin/reassign_partitions`. */
export interface PartitionReassignmentRequest {
  topic: string;
  partition: number;
  replicas: number[];
}

/**
 * `/admin/reassign_partitions`: the classic way to ask for reassignments (what
 * `kafka-reassign-partitions.sh --zookeeper ... --execute` wrote). The controller watches for
 * its creation, starts every listed reassignment, and removes partitions from it as they
 * complete; it deletes the node when none is left. Same JSON as the tool's plan file:
 * `{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3]}]}`.
 */
export const ReassignPartitionsZNode = {
  path: '/admin/reassign_partitions',
  encode(partitions: readonly PartitionReassignmentRequest[]): Buffer {
    return json({
      version: 1,
      partitions: partitions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        replicas: p.replicas,
      })),
    });
  },
  decode(bytes: Buffer | null): PartitionReassignmentRequest[] {
    const path = this.path;
    const j = parseJson(path, bytes);
    if (!Array.isArray(j.partitions))
      throw new ZNodeDecodeError(path, 'field "partitions" is not an array');
    return j.partitions.map((p: Record<string, unknown>, i: number) => {
      if (typeof p !== 'object' || p === null || typeof p.topic !== 'string')
        throw new ZNodeDecodeError(path, `partitions[${i}].topic is not a string`);
      return {
        topic: p.topic,
        partition: intField(path, p, 'partition'),
        replicas: intArray(path, p.replicas, `partitions[${i}].replicas`),
      };
    });
  },
};

/**
 * `/admin/preferred_replica_election`: partitions whose preferred replica (the first of the
 * assignment) should lead again (what `kafka-preferred-replica-election.sh --zookeeper` and
 * `npx coordinator elect-leaders` write). The controller deletes it once the elections ran.
 * `{"version":1,"partitions":[{"topic":"t","partition":0}]}`.
 */
export const PreferredReplicaElectionZNode = {
  path: '/admin/preferred_replica_election',
  encode(partitions: readonly { topic: string; partition: number }[]): Buffer {
    return json({
      version: 1,
      partitions: partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    });
  },
  decode(bytes: Buffer | null): { topic: string; partition: number }[] {
    const path = this.path;
    const j = parseJson(path, bytes);
    if (!Array.isArray(j.partitions))
      throw new ZNodeDecodeError(path, 'field "partitions" is not an array');
    return j.partitions.map((p: Record<string, unknown>, i: number) => {
      if (typeof p !== 'object' || p === null || typeof p.topic !== 'string')
        throw new ZNodeDecodeError(path, `partitions[${i}].topic is not a string`);
      return { topic: p.topic, partition: intField(path, p, 'partition') };
    });
  },
};

export const ConfigZNode = { path: '/config' };
export const ConfigChangesZNode = { path: '/config/changes' };
export const ConfigTypes = ['topics', 'clients', 'users', 'brokers', 'ips'] as const;

/** `/config/topics/<t>`: the topic's config overrides, values as strings. */
export const TopicConfigZNode = {
  path(topic: string): string {
    return `/config/topics/${topic}`;
  },
  encode(config: Record<string, string>): Buffer {
    return json({ version: 1, config });
  },
  decode(topic: string, bytes: Buffer | null): Record<string, string> {
    const j = parseJson(this.path(topic), bytes);
    const config = (j.config ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));
  },
};

/** The entity types with configs in /config/<type>/<name> (Kafka's ConfigType). */
export type ConfigEntityType = (typeof ConfigTypes)[number];

/** The name of the cluster-wide default entity: /config/brokers/<default> (KIP-226). */
export const DEFAULT_CONFIG_ENTITY = '<default>';

/**
 * `/config/<type>/<name>`: an entity's config overrides, `{"version":1,"config":{...}}` with
 * every value a string (Kafka's ConfigEntityZNode). Topics use TopicConfigZNode, the same
 * layout; brokers use `/config/brokers/<id>` and `/config/brokers/<default>`.
 */
export const EntityConfigZNode = {
  path(entityType: ConfigEntityType, name: string): string {
    return `${ConfigZNode.path}/${entityType}/${name}`;
  },
  encode(config: Record<string, string>): Buffer {
    return json({ version: 1, config });
  },
  decode(path: string, bytes: Buffer | null): Record<string, string> {
    const j = parseJson(path, bytes);
    const config = (j.config ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));
  },
};

/**
 * `/config/changes/config_change_<10 digits>`: sequential znodes that tell every broker an
 * entity's config changed (Kafka's ConfigEntityChangeNotificationSequenceZNode). The data
 * names the entity: version 2 (Kafka 2.x) `{"version":2,"entity_path":"topics/orders"}`;
 * version 1 (older tools) `{"version":1,"entity_type":"topics","entity_name":"orders"}` is
 * still read. Brokers read the entity's znode again; the notification carries no values.
 */
export const ConfigChangeNotificationZNode = {
  prefix: `${ConfigChangesZNode.path}/config_change_`,
  encode(entityType: ConfigEntityType, name: string): Buffer {
    return json({ version: 2, entity_path: `${entityType}/${name}` });
  },
  decode(path: string, bytes: Buffer | null): { entityType: string; name: string } {
    const j = parseJson(path, bytes);
    if (j.version === 1) {
      return { entityType: String(j.entity_type), name: String(j.entity_name) };
    }
    const entityPath = typeof j.entity_path === 'string' ? j.entity_path : '';
    const slash = entityPath.indexOf('/');
    if (slash <= 0) throw new ZNodeDecodeError(path, `bad entity_path "${entityPath}"`);
    return { entityType: entityPath.slice(0, slash), name: entityPath.slice(slash + 1) };
  },
};

export const IsrChangeNotificationZNode = {
  path: '/isr_change_notification',
  /** Sequential children are named `isr_change_<10 digits>`. */
  prefix: '/isr_change_notification/isr_change_',
  decode(path: string, bytes: Buffer | null): { topic: string; partition: number }[] {
    const j = parseJson(path, bytes);
    if (!Array.isArray(j.partitions))
      throw new ZNodeDecodeError(path, 'field "partitions" is missing');
    return j.partitions.map((p: { topic?: unknown; partition?: unknown }) => ({
      topic: String(p.topic),
      partition: Number(p.partition),
    }));
  },
  encode(partitions: { topic: string; partition: number }[]): Buffer {
    return json({ version: 1, partitions });
  },
};

export const LogDirEventNotificationZNode = { path: '/log_dir_event_notification' };
export const ConsumersZNode = { path: '/consumers' };
/** A block of producer ids one broker took for itself: [blockStart, blockEnd], inclusive. */
export interface ProducerIdBlock {
  brokerId: number;
  blockStart: number;
  blockEnd: number;
}

/**
 * `/latest_producer_id_block`: the last block of producer ids handed out, as Kafka 2.x's
 * ProducerIdBlockZNode writes it: {"version":1,"broker":2,"block_start":"1000",
 * "block_end":"1999"} (the ids are JSON strings, being int64 in Kafka). Created empty at
 * start-up; brokers take the next block with a setData conditional on the version they read.
 */
export const LatestProducerIdBlockZNode = {
  path: '/latest_producer_id_block',
  encode(block: ProducerIdBlock): Buffer {
    return json({
      version: 1,
      broker: block.brokerId,
      block_start: String(block.blockStart),
      block_end: String(block.blockEnd),
    });
  },
  /** undefined while no block was ever handed out (the node is empty). */
  decode(bytes: Buffer | null): ProducerIdBlock | undefined {
    if (bytes === null || bytes.length === 0) return undefined;
    const j = parseJson(this.path, bytes);
    const id = (name: string): number => {
      const value = j[name];
      const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) {
        throw new ZNodeDecodeError(this.path, `field "${name}" is not a decimal string`);
      }
      return n;
    };
    return {
      brokerId: intField(this.path, j, 'broker'),
      blockStart: id('block_start'),
      blockEnd: id('block_end'),
    };
  },
};

/**
 * The persistent paths every Kafka broker creates at start-up if they are missing
 * (`KafkaZkClient.createTopLevelPaths`), in creation order (parents first).
 */
export const PERSISTENT_ZK_PATHS: readonly string[] = [
  ConsumersZNode.path,
  BrokerIdsZNode.path,
  TopicsZNode.path,
  ConfigChangesZNode.path,
  DeleteTopicsZNode.path,
  BrokerSequenceIdZNode.path,
  IsrChangeNotificationZNode.path,
  LatestProducerIdBlockZNode.path,
  LogDirEventNotificationZNode.path,
  ...ConfigTypes.map((t) => `${ConfigZNode.path}/${t}`),
];

/** Kafka's topic name rule: 1-249 characters of [a-zA-Z0-9._-], and not "." or "..". */
export const TOPIC_NAME_LENGTH_MAX = 249;

export function validateTopicName(topic: string): string | null {
  if (topic.length === 0) return 'topic name is empty';
  if (topic === '.' || topic === '..') return `topic name cannot be "${topic}"`;
  if (topic.length > TOPIC_NAME_LENGTH_MAX) {
    return `topic name is longer than ${TOPIC_NAME_LENGTH_MAX} characters`;
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(topic)) {
    return `topic name "${topic}" has characters other than ASCII alphanumerics, ".", "_" and "-"`;
  }
  return null;
}
