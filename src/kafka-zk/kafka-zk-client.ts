/**
 * KafkaZkClient: the reads and writes brokers, the controller and the `coordinator cluster` /
 * `coordinator topics` commands make against the coordinator, expressed in znode terms (Kafka's
 * class of the same name). It is in src/ because both daemons use it. Every function
 * takes the `CoordinatorClient` to use, because a broker replaces its client when its session
 * expires; nothing here keeps state.
 *
 * Ordering: functions that pipeline several requests rely on the coordinator answering one
 * session's requests in order (ZooKeeper's FIFO client order).
 *
 * Fencing: controller writes go through `fencedMulti`, which prepends
 * `check(/controller_epoch, epochZkVersion)`. If another broker has become controller since,
 * /controller_epoch has a newer version, the whole multi fails on that check, and the caller
 * gets a `ControllerMovedError` (Kafka's ControllerMovedException) and must resign.
 */
import type { CoordinatorClient } from '../coordinator-client/client.js';
import { Op } from '../coordinator-client/client.js';
import { ErrorCode, KeeperError, hasCode } from '../protocol/coordinator/errors.js';
import type { MultiOp, MultiResultEntry } from '../protocol/coordinator/messages.js';
import {
  BrokerIdZNode,
  BrokerIdsZNode,
  ClusterIdZNode,
  ControllerEpochZNode,
  ControllerZNode,
  DeleteTopicsZNode,
  PERSISTENT_ZK_PATHS,
  TopicPartitionStateZNode,
  TopicsZNode,
  TopicZNode,
  type BrokerInfo,
  type LeaderAndIsr,
  type TopicAssignment,
} from '../znodes.js';
import { ensurePath } from '../coordinator-client/recipes/ensure-path.js';

/** A newer controller exists: the /controller_epoch check of a fenced write failed. */
export class ControllerMovedError extends Error {
  override name = 'ControllerMovedError';
  readonly code = 'KB_ERR_CONTROLLER_MOVED';
}

// ---------------------------------------------------------------------------------------------
// Start-up

/** Create the persistent paths Kafka creates at start-up (idempotent). */
export async function createTopLevelPaths(client: CoordinatorClient): Promise<void> {
  await Promise.all(PERSISTENT_ZK_PATHS.map((path) => ensurePath(client, path)));
}

/** Read `/cluster/id`, creating it with `newId` if this is the cluster's first broker. */
export async function getOrCreateClusterId(
  client: CoordinatorClient,
  newId: () => string,
): Promise<string> {
  try {
    return ClusterIdZNode.decode((await client.getData(ClusterIdZNode.path)).data);
  } catch (err) {
    if (!hasCode(err, ErrorCode.NONODE)) throw err;
  }
  try {
    const id = newId();
    await ensurePath(client, '/cluster');
    await client.create(ClusterIdZNode.path, ClusterIdZNode.encode(id));
    return id;
  } catch (err) {
    // Another broker created it between our read and our create: use theirs.
    if (!hasCode(err, ErrorCode.NODEEXISTS)) throw err;
    return ClusterIdZNode.decode((await client.getData(ClusterIdZNode.path)).data);
  }
}

export class BrokerIdTakenError extends Error {
  override name = 'BrokerIdTakenError';
  readonly code = 'KB_ERR_BROKER_ID_TAKEN';
  constructor(readonly brokerId: number) {
    super(
      `broker id ${brokerId} is already registered at ${BrokerIdZNode.path(brokerId)} ` +
        'by another live broker (another session owns the ephemeral node); ' +
        'pick another --id or stop the other broker',
    );
  }
}

/**
 * Register this broker: create the ephemeral `/brokers/ids/<id>`. Resolves with the broker
 * epoch (the node's czxid). If the node exists and is owned by *this* session (a retry after a
 * connection blip), that registration counts; if another session owns it, the id is taken.
 */
export async function registerBroker(client: CoordinatorClient, info: BrokerInfo): Promise<number> {
  const path = BrokerIdZNode.path(info.id);
  try {
    const { stat } = await client.createWithStat(path, BrokerIdZNode.encode(info), {
      mode: 'ephemeral',
    });
    return stat.czxid;
  } catch (err) {
    if (!hasCode(err, ErrorCode.NODEEXISTS)) throw err;
  }
  const stat = await client.exists(path);
  if (stat && stat.ephemeralOwner === client.sessionId) return stat.czxid;
  throw new BrokerIdTakenError(info.id);
}

// ---------------------------------------------------------------------------------------------
// Controller election

/** The id of the active controller, or -1 when there is none. */
export async function getControllerId(client: CoordinatorClient): Promise<number> {
  try {
    return ControllerZNode.decode((await client.getData(ControllerZNode.path)).data).brokerId;
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE)) return -1;
    throw err;
  }
}

/** `/controller_epoch` and its znode version; created as `0` (version 0) when missing. */
export async function getOrCreateControllerEpoch(
  client: CoordinatorClient,
): Promise<{ epoch: number; zkVersion: number }> {
  try {
    const { data, stat } = await client.getData(ControllerEpochZNode.path);
    return { epoch: ControllerEpochZNode.decode(data), zkVersion: stat.version };
  } catch (err) {
    if (!hasCode(err, ErrorCode.NONODE)) throw err;
  }
  try {
    await client.create(ControllerEpochZNode.path, ControllerEpochZNode.encode(0));
  } catch (err) {
    if (!hasCode(err, ErrorCode.NODEEXISTS)) throw err;
  }
  const { data, stat } = await client.getData(ControllerEpochZNode.path);
  return { epoch: ControllerEpochZNode.decode(data), zkVersion: stat.version };
}

export type ElectionAttempt = { won: true; epoch: number; epochZkVersion: number } | { won: false };

/**
 * One attempt to become controller (`KafkaZkClient.registerControllerAndIncrementControllerEpoch`):
 * atomically create the ephemeral `/controller` and set `/controller_epoch` to epoch+1,
 * conditional on the version just read. NODEEXISTS (someone is controller) or BADVERSION
 * (someone bumped the epoch first) mean we lost.
 */
export async function tryRegisterController(
  client: CoordinatorClient,
  brokerId: number,
  nowMs: number,
): Promise<ElectionAttempt> {
  const { epoch, zkVersion } = await getOrCreateControllerEpoch(client);
  const newEpoch = epoch + 1;
  try {
    const results = await client.multi([
      Op.create(ControllerZNode.path, ControllerZNode.encode(brokerId, nowMs), {
        mode: 'ephemeral',
      }),
      Op.setData(ControllerEpochZNode.path, ControllerEpochZNode.encode(newEpoch), zkVersion),
    ]);
    const stat = (results[1] as MultiResultEntry).stat;
    return { won: true, epoch: newEpoch, epochZkVersion: stat?.version ?? zkVersion + 1 };
  } catch (err) {
    if (hasCode(err, ErrorCode.NODEEXISTS) || hasCode(err, ErrorCode.BADVERSION))
      return { won: false };
    throw err;
  }
}

/**
 * A controller write, fenced by the controller epoch's znode version. Failures of the ops
 * themselves are rethrown as the KeeperError of the failing op (with `results`).
 */
export async function fencedMulti(
  client: CoordinatorClient,
  epochZkVersion: number,
  ops: readonly MultiOp[],
): Promise<MultiResultEntry[]> {
  try {
    const results = await client.multi([
      Op.check(ControllerEpochZNode.path, epochZkVersion),
      ...ops,
    ]);
    return results.slice(1);
  } catch (err) {
    const results = err instanceof KeeperError ? err.results : undefined;
    if (results && results[0]?.err === ErrorCode.BADVERSION) {
      throw new ControllerMovedError(
        `controller epoch znode version is no longer ${epochZkVersion}: a newer controller exists`,
      );
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Reads for building the controller context

export interface RegisteredBroker {
  info: BrokerInfo;
  epoch: number;
}

/** Every registered broker with its epoch (czxid). Brokers that vanish meanwhile are skipped. */
export async function getAllBrokers(
  client: CoordinatorClient,
  ids?: readonly string[],
): Promise<RegisteredBroker[]> {
  const children = ids ?? (await client.getChildren(BrokerIdsZNode.path));
  const reads = children
    .filter((c) => /^\d+$/.test(c))
    .map(async (child) => {
      const id = Number(child);
      try {
        const { data, stat } = await client.getData(BrokerIdZNode.path(id));
        return { info: BrokerIdZNode.decode(id, data), epoch: stat.czxid };
      } catch (err) {
        if (hasCode(err, ErrorCode.NONODE)) return undefined;
        throw err;
      }
    });
  return (await Promise.all(reads))
    .filter((b): b is RegisteredBroker => b !== undefined)
    .sort((a, b) => a.info.id - b.info.id);
}

export async function getTopicAssignment(
  client: CoordinatorClient,
  topic: string,
  watcher?: () => void,
): Promise<TopicAssignment | undefined> {
  try {
    const { data } = await client.getData(TopicZNode.path(topic), watcher);
    return TopicZNode.decode(topic, data);
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE)) {
      // Keep watching for its creation too, when asked to watch.
      if (watcher) await client.exists(TopicZNode.path(topic), watcher);
      return undefined;
    }
    throw err;
  }
}

export async function getAllTopics(
  client: CoordinatorClient,
  watcher?: () => void,
): Promise<string[]> {
  return (await client.getChildren(TopicsZNode.path, watcher)).sort();
}

export async function getTopicsToDelete(
  client: CoordinatorClient,
  watcher?: () => void,
): Promise<string[]> {
  return (await client.getChildren(DeleteTopicsZNode.path, watcher)).sort();
}

/** The partition's state and znode version, or undefined when it has none yet. */
export async function getPartitionState(
  client: CoordinatorClient,
  topic: string,
  partition: number,
): Promise<{ leaderAndIsr: LeaderAndIsr; zkVersion: number } | undefined> {
  try {
    const { data, stat } = await client.getData(TopicPartitionStateZNode.path(topic, partition));
    return {
      leaderAndIsr: TopicPartitionStateZNode.decode(topic, partition, data),
      zkVersion: stat.version,
    };
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE)) return undefined;
    throw err;
  }
}

/** Delete a node and everything below it (children first). Missing nodes are fine. */
export async function deleteRecursive(client: CoordinatorClient, path: string): Promise<void> {
  let children: string[];
  try {
    children = await client.getChildren(path);
  } catch (err) {
    if (hasCode(err, ErrorCode.NONODE)) return;
    throw err;
  }
  await Promise.all(children.map((c) => deleteRecursive(client, `${path}/${c}`)));
  try {
    await client.delete(path);
  } catch (err) {
    if (!hasCode(err, ErrorCode.NONODE)) throw err;
  }
}
