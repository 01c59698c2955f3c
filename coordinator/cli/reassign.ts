/**
 * `coordinator reassign ...`: Kafka's `kafka-reassign-partitions.sh --zookeeper`, the classic
 * way. It only writes and reads znodes; the controller does the moving
 * (broker/controller/reassignment-manager.ts, docs/controller.md "Reassignment").
 *
 *   reassign --plan FILE                 start the reassignments of Kafka's plan JSON
 *   reassign --topic T --partition P --replicas 2,3,1     start one
 *   reassign --verify [--plan FILE | --topic T --partition P --replicas ...]
 *                                        per partition: complete, still in progress, or
 *                                        finished with other replicas; without a plan, list
 *                                        the reassignments in progress
 *
 * Plan JSON (what `kafka-reassign-partitions.sh --generate` prints and `--execute` reads), here
 * wrapped (the tool prints it on one line):
 *   {"version":1,"partitions":[
 *     {"topic":"t","partition":0,"replicas":[2,3],"log_dirs":["any","any"]}]}
 * `log_dirs` is accepted and must be "any" (we have no JBOD moves).
 *
 * Starting writes `/admin/reassign_partitions` with the partitions and their target replicas;
 * it refuses while that node exists ("There is an existing assignment running."), as Kafka's
 * tool did. It prints the current assignment first, as the rollback plan to keep.
 *
 * Throttles (KIP-73), as `kafka-reassign-partitions.sh --execute --throttle B` sets them:
 *
 *   --throttle BYTES_PER_SEC   before starting, for every topic of the plan:
 *                                leader.replication.throttled.replicas   = p:b for every
 *                                  current replica b of each moving partition p (the ones
 *                                  the new replicas may copy from);
 *                                follower.replication.throttled.replicas = p:b for every
 *                                  new replica b (in the target, not in the current set);
 *                              and on every broker involved (current or target replica of a
 *                              partition of the plan), in /config/brokers/<id>:
 *                                leader.replication.throttled.rate = follower.... = B
 *   --verify                   when no partition of the plan is still in progress, removes
 *                              the two rates from every live broker and every broker of the
 *                              plan, and the two lists from every topic of the plan;
 *                              --preserve-throttles keeps them.
 *
 * Each change is a config write plus a /config/changes notification, so the brokers apply
 * it at once (broker/server/dynamic-config-manager.ts). The throttle only slows replicas that
 * are not in the ISR; an in-sync replica is never held back.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { ErrorCode, KeeperError } from '../../src/protocol/coordinator/errors.js';
import { changeEntityConfig, fetchEntityConfig } from '../../src/kafka-zk/config-zk-client.js';
import {
  BrokerIdsZNode,
  ReassignPartitionsZNode,
  TopicsZNode,
  TopicZNode,
  type PartitionReassignmentRequest,
  type TopicAssignment,
} from '../../src/znodes.js';
import { parseIntOption, UsageError, type CliContext, type CommandModule } from './context.js';

/** The node's data, or null when it does not exist. */
export async function getDataOrNull(
  client: CoordinatorClient,
  path: string,
): Promise<Buffer | null | undefined> {
  try {
    return (await client.getData(path)).data;
  } catch (err) {
    if (err instanceof KeeperError && err.code === ErrorCode.NONODE) return undefined;
    throw err;
  }
}

export async function readAssignment(
  client: CoordinatorClient,
  topic: string,
): Promise<TopicAssignment | undefined> {
  const data = await getDataOrNull(client, TopicZNode.path(topic));
  return data === undefined ? undefined : TopicZNode.decode(topic, data);
}

/** Parse Kafka's reassignment plan JSON; throws UsageError with the reason. */
export function parseReassignmentPlan(text: string): PartitionReassignmentRequest[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the plan is not JSON: ${(err as Error).message}`);
  }
  const partitions = (json as { partitions?: unknown }).partitions;
  if (!Array.isArray(partitions)) throw new UsageError('the plan has no "partitions" array');
  return partitions.map((p: Record<string, unknown>, i) => {
    const where = `partitions[${i}]`;
    if (typeof p?.topic !== 'string') throw new UsageError(`${where}.topic is not a string`);
    if (!Number.isInteger(p.partition))
      throw new UsageError(`${where}.partition is not an integer`);
    if (!Array.isArray(p.replicas) || !p.replicas.every((r) => Number.isInteger(r)))
      throw new UsageError(`${where}.replicas is not an array of broker ids`);
    if (p.log_dirs !== undefined) {
      const dirs = p.log_dirs as unknown[];
      if (!Array.isArray(dirs) || dirs.some((d) => d !== 'any'))
        throw new UsageError(`${where}.log_dirs: only "any" is supported (no log dir moves)`);
    }
    return { topic: p.topic, partition: p.partition as number, replicas: p.replicas as number[] };
  });
}

/** Kafka's checks before writing: partitions exist, replica lists are sane, brokers exist. */
async function validate(
  client: CoordinatorClient,
  plan: readonly PartitionReassignmentRequest[],
): Promise<void> {
  if (plan.length === 0) throw new UsageError('the plan lists no partitions');
  const seen = new Set<string>();
  const brokers = new Set((await client.getChildren(BrokerIdsZNode.path)).map(Number));
  for (const p of plan) {
    const name = `${p.topic}-${p.partition}`;
    if (seen.has(name)) throw new UsageError(`partition ${name} is listed twice`);
    seen.add(name);
    if (p.replicas.length === 0) throw new UsageError(`empty replica list for ${name}`);
    if (new Set(p.replicas).size !== p.replicas.length)
      throw new UsageError(`duplicate replicas for ${name}: ${p.replicas.join(',')}`);
    const unknown = p.replicas.filter((r) => !brokers.has(r));
    if (unknown.length > 0)
      throw new UsageError(
        `the proposed assignment contains non-existent broker ids: ${unknown.join(',')}`,
      );
    const assignment = await readAssignment(client, p.topic);
    if (!assignment?.partitions.has(p.partition))
      throw new UsageError(`partition ${name} does not exist`);
  }
}

/** The topic and broker configs of a throttled reassignment (KIP-73). */
export interface ReassignmentThrottles {
  /** Per topic: leader.replication.throttled.replicas. */
  leader: Map<string, string>;
  /** Per topic: follower.replication.throttled.replicas. */
  follower: Map<string, string>;
  /** The brokers that get the two rates: every current and target replica. */
  brokers: number[];
}

export const LEADER_THROTTLED_REPLICAS = 'leader.replication.throttled.replicas';
export const FOLLOWER_THROTTLED_REPLICAS = 'follower.replication.throttled.replicas';
export const THROTTLED_RATES = [
  'leader.replication.throttled.rate',
  'follower.replication.throttled.rate',
  'replica.alter.log.dirs.io.max.bytes.per.second',
] as const;

/**
 * Which replicas a throttled reassignment throttles (Kafka's calculateLeaderThrottles,
 * calculateFollowerThrottles and calculateReassigningBrokers): the leader side on the
 * replicas a partition has now (any of them may be, or become, the leader the new replicas
 * copy from), the follower side on the replicas being added. Entries are `partition:broker`,
 * sorted as strings, as Kafka's TreeSet[String] sorts them.
 */
export function reassignmentThrottles(
  moves: readonly { topic: string; partition: number; current: number[]; target: number[] }[],
): ReassignmentThrottles {
  const leader = new Map<string, Set<string>>();
  const follower = new Map<string, Set<string>>();
  const brokers = new Set<number>();
  for (const move of moves) {
    const leaders = leader.get(move.topic) ?? new Set();
    const followers = follower.get(move.topic) ?? new Set();
    for (const b of move.current) leaders.add(`${move.partition}:${b}`);
    for (const b of move.target) {
      if (!move.current.includes(b)) followers.add(`${move.partition}:${b}`);
    }
    leader.set(move.topic, leaders);
    follower.set(move.topic, followers);
    for (const b of [...move.current, ...move.target]) brokers.add(b);
  }
  const joined = (m: Map<string, Set<string>>) =>
    new Map([...m].map(([topic, items]) => [topic, [...items].sort().join(',')]));
  return {
    leader: joined(leader),
    follower: joined(follower),
    brokers: [...brokers].sort((a, b) => a - b),
  };
}

/** Writes the topic lists and the broker rates of a throttled reassignment. */
async function setThrottles(
  client: CoordinatorClient,
  throttles: ReassignmentThrottles,
  bytesPerSec: number,
): Promise<void> {
  for (const [topic, leaderList] of throttles.leader) {
    const config = await fetchEntityConfig(client, 'topics', topic);
    config[LEADER_THROTTLED_REPLICAS] = leaderList;
    config[FOLLOWER_THROTTLED_REPLICAS] = throttles.follower.get(topic) ?? '';
    await changeEntityConfig(client, 'topics', topic, config);
  }
  for (const broker of throttles.brokers) {
    const config = await fetchEntityConfig(client, 'brokers', String(broker));
    config[THROTTLED_RATES[0]] = String(bytesPerSec);
    config[THROTTLED_RATES[1]] = String(bytesPerSec);
    await changeEntityConfig(client, 'brokers', String(broker), config);
  }
}

/**
 * Kafka's clearAllThrottles: the rates from every live broker and every broker of the plan,
 * the lists from every topic of the plan. An entity that has none of them is not rewritten.
 */
async function clearThrottles(
  ctx: CliContext,
  client: CoordinatorClient,
  plan: readonly PartitionReassignmentRequest[],
): Promise<void> {
  const live = (await client.getChildren(BrokerIdsZNode.path)).map(Number);
  const brokers = [...new Set([...live, ...plan.flatMap((p) => p.replicas)])].sort((a, b) => a - b);
  ctx.out(
    `Clearing broker-level throttles on broker${brokers.length === 1 ? '' : 's'} ` +
      brokers.join(','),
  );
  for (const broker of brokers) {
    await removeKeys(client, 'brokers', String(broker), THROTTLED_RATES);
  }
  const topics = [...new Set(plan.map((p) => p.topic))].sort();
  ctx.out(
    `Clearing topic-level throttles on topic${topics.length === 1 ? '' : 's'} ` + topics.join(','),
  );
  for (const topic of topics) {
    if ((await client.exists(TopicZNode.path(topic))) === null) continue;
    await removeKeys(client, 'topics', topic, [
      LEADER_THROTTLED_REPLICAS,
      FOLLOWER_THROTTLED_REPLICAS,
    ]);
  }
}

async function removeKeys(
  client: CoordinatorClient,
  entityType: 'brokers' | 'topics',
  name: string,
  keys: readonly string[],
): Promise<void> {
  const config = await fetchEntityConfig(client, entityType, name);
  if (!keys.some((k) => k in config)) return;
  for (const k of keys) delete config[k];
  await changeEntityConfig(client, entityType, name, config);
}

export type ReassignmentStatus = 'complete' | 'in progress' | { replicas: number[] };

/** Where each partition of `plan` stands. */
export async function verifyReassignment(
  client: CoordinatorClient,
  plan: readonly PartitionReassignmentRequest[],
): Promise<Map<string, ReassignmentStatus>> {
  const inProgress = new Set((await reassignmentsInProgress(client)).map((r) => r.name));
  const result = new Map<string, ReassignmentStatus>();
  for (const p of plan) {
    const name = `${p.topic}-${p.partition}`;
    if (inProgress.has(name)) {
      result.set(name, 'in progress');
      continue;
    }
    const replicas = (await readAssignment(client, p.topic))?.partitions.get(p.partition) ?? [];
    result.set(name, replicas.join(',') === p.replicas.join(',') ? 'complete' : { replicas });
  }
  return result;
}

export interface ReassignmentInProgressView {
  name: string;
  /** The target, from /admin/reassign_partitions or the topic znode. */
  targetReplicas: number[];
  adding: number[];
  removing: number[];
}

/**
 * Reassignments in progress: requested in /admin/reassign_partitions, or recorded in a topic
 * znode's adding/removing replicas (the controller started them).
 */
export async function reassignmentsInProgress(
  client: CoordinatorClient,
): Promise<ReassignmentInProgressView[]> {
  const views = new Map<string, ReassignmentInProgressView>();
  const requested = await getDataOrNull(client, ReassignPartitionsZNode.path);
  if (requested !== undefined) {
    for (const r of ReassignPartitionsZNode.decode(requested))
      views.set(`${r.topic}-${r.partition}`, {
        name: `${r.topic}-${r.partition}`,
        targetReplicas: r.replicas,
        adding: [],
        removing: [],
      });
  }
  const topics = await client.getChildren(TopicsZNode.path);
  for (const topic of topics.sort()) {
    const assignment = await readAssignment(client, topic);
    if (!assignment) continue;
    for (const [partition, replicas] of assignment.partitions) {
      const adding = assignment.addingReplicas.get(partition) ?? [];
      const removing = assignment.removingReplicas.get(partition) ?? [];
      if (adding.length === 0 && removing.length === 0) continue;
      const name = `${topic}-${partition}`;
      views.set(name, {
        name,
        targetReplicas:
          views.get(name)?.targetReplicas ?? replicas.filter((r) => !removing.includes(r)),
        adding,
        removing,
      });
    }
  }
  return [...views.values()];
}

export function reassignmentLine(r: ReassignmentInProgressView): string {
  const moving =
    r.adding.length + r.removing.length > 0
      ? ` (adding ${r.adding.join(',') || 'none'}, removing ${r.removing.join(',') || 'none'})`
      : ' (requested, not started yet)';
  return `${r.name} -> ${r.targetReplicas.join(',')}${moving}`;
}

function planFromOptions(o: {
  plan?: string;
  topic?: string;
  partition?: string;
  replicas?: string;
}): PartitionReassignmentRequest[] | undefined {
  if (o.plan !== undefined) {
    if (o.topic !== undefined || o.replicas !== undefined)
      throw new UsageError('give either --plan or --topic/--partition/--replicas');
    let text: string;
    try {
      text = readFileSync(o.plan, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${o.plan}: ${(err as Error).message}`);
    }
    return parseReassignmentPlan(text);
  }
  if (o.topic === undefined && o.partition === undefined && o.replicas === undefined)
    return undefined;
  if (o.topic === undefined || o.partition === undefined || o.replicas === undefined)
    throw new UsageError('--topic, --partition and --replicas go together');
  const replicas = o.replicas.split(',').map((r) => parseIntOption(r.trim(), '--replicas'));
  return [{ topic: o.topic, partition: parseIntOption(o.partition, '--partition'), replicas }];
}

export const reassignCommands: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    program
      .command('reassign')
      .description('move partition replicas between brokers (/admin/reassign_partitions)')
      .option('--plan <file>', "Kafka's reassignment JSON")
      .option('--topic <topic>', 'one partition: its topic')
      .option('--partition <n>', 'one partition: its id')
      .option('--replicas <ids>', 'one partition: the new replicas, e.g. 2,3,1')
      .option('--verify', 'report progress; once complete, remove the throttles')
      .option(
        '--throttle <bytesPerSec>',
        'limit the copying to this many bytes/s per broker (replication throttles)',
      )
      .option('--preserve-throttles', 'with --verify: keep the throttles')
      .action(
        async (
          o: {
            plan?: string;
            topic?: string;
            partition?: string;
            replicas?: string;
            verify?: boolean;
            throttle?: string;
            preserveThrottles?: boolean;
          },
          cmd: Command,
        ) => {
          const plan = planFromOptions(o);
          if (o.verify) {
            if (o.throttle !== undefined)
              throw new UsageError('--throttle goes with starting a reassignment, not --verify');
            return verify(ctx, cmd, plan, o.preserveThrottles === true);
          }
          if (!plan) throw new UsageError('give --plan FILE or --topic T --partition P --replicas');
          if (o.preserveThrottles) throw new UsageError('--preserve-throttles goes with --verify');
          const throttle =
            o.throttle === undefined ? undefined : parseIntOption(o.throttle, '--throttle');
          if (throttle !== undefined && throttle < 0)
            throw new UsageError('--throttle must be a number of bytes/s, 0 or more');
          await ctx.withClient(cmd, async (client) => {
            await validate(client, plan);
            if (await client.exists(ReassignPartitionsZNode.path))
              throw new Error('There is an existing assignment running.');
            const current: PartitionReassignmentRequest[] = [];
            for (const p of plan) {
              const replicas =
                (await readAssignment(client, p.topic))?.partitions.get(p.partition) ?? [];
              current.push({ topic: p.topic, partition: p.partition, replicas });
            }
            ctx.out('Current partition replica assignment\n');
            ctx.out(JSON.stringify({ version: 1, partitions: current }));
            ctx.out('\nSave this to use as the --plan option during rollback');
            if (throttle !== undefined) {
              ctx.out(
                'Warning: You must run --verify periodically, until the reassignment ' +
                  'completes, to ensure the throttle is removed.',
              );
              const moves = plan.map((p, i) => ({
                topic: p.topic,
                partition: p.partition,
                current: current[i]!.replicas,
                target: p.replicas,
              }));
              await setThrottles(client, reassignmentThrottles(moves), throttle);
              ctx.out(`The inter-broker throttle limit was set to ${throttle} B/s`);
            }
            try {
              await client.create(
                ReassignPartitionsZNode.path,
                ReassignPartitionsZNode.encode(plan),
              );
            } catch (err) {
              if (err instanceof KeeperError && err.code === ErrorCode.NODEEXISTS)
                throw new Error('There is an existing assignment running.', { cause: err });
              throw err;
            }
            ctx.out(
              `Successfully started partition reassignment${plan.length > 1 ? 's' : ''} for ` +
                plan.map((p) => `${p.topic}-${p.partition}`).join(','),
            );
          });
        },
      );
  },
};

async function verify(
  ctx: CliContext,
  cmd: Command,
  plan: PartitionReassignmentRequest[] | undefined,
  preserveThrottles: boolean,
): Promise<void> {
  await ctx.withClient(cmd, async (client) => {
    if (!plan) {
      const moving = await reassignmentsInProgress(client);
      ctx.out(
        moving.length === 0
          ? 'No partition reassignments in progress.'
          : ['Reassignments in progress:', ...moving.map(reassignmentLine)].join('\n'),
      );
      return;
    }
    const status = await verifyReassignment(client, plan);
    ctx.out('Status of partition reassignment:');
    for (const [name, s] of status) {
      ctx.out(
        s === 'complete'
          ? `Reassignment of partition ${name} is complete.`
          : s === 'in progress'
            ? `Reassignment of partition ${name} is still in progress.`
            : `There is no active reassignment of partition ${name}, but replica set is ` +
              `${s.replicas.join(',')} rather than ` +
              `${plan.find((p) => `${p.topic}-${p.partition}` === name)?.replicas.join(',')}.`,
      );
    }
    // Kafka removes the throttles once nothing of the plan is moving any more (finished,
    // or finished otherwise), so that they do not slow down later recoveries.
    const ongoing = [...status.values()].some((s) => s === 'in progress');
    if (!ongoing && !preserveThrottles) await clearThrottles(ctx, client, plan);
  });
}
