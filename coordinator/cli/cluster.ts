/**
 * `coordinator cluster ...`: the Kafka cluster as the coordinator sees it.
 *
 *   cluster brokers [--json]     registered brokers (/brokers/ids/<id>): id, endpoints, rack,
 *                                epoch (czxid of the registration)
 *   cluster controller [--json]  the active controller (/controller) and /controller_epoch
 *   cluster describe [--json]    cluster id, controller, brokers, topic and partition counts,
 *                                partitions without a leader or with a shrunk ISR, and
 *                                reassignments in progress (reassign.ts)
 */
import type { Command } from 'commander';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import { ClusterIdZNode, ControllerEpochZNode, ControllerZNode } from '../../src/znodes.js';
import {
  getAllBrokers,
  getAllTopics,
  type RegisteredBroker,
} from '../../src/kafka-zk/kafka-zk-client.js';
import type { CliContext, CommandModule } from './context.js';
import { describeTopic } from './topics.js';
import { reassignmentLine, reassignmentsInProgress } from './reassign.js';

export interface ControllerView {
  controllerId: number;
  controllerEpoch: number;
  /** ms since the epoch, when /controller was written. */
  timestampMs: number | null;
}

export async function readController(client: CoordinatorClient): Promise<ControllerView> {
  let controllerId = -1;
  let timestampMs: number | null = null;
  let controllerEpoch = 0;
  try {
    const c = ControllerZNode.decode((await client.getData(ControllerZNode.path)).data);
    controllerId = c.brokerId;
    timestampMs = c.timestampMs;
  } catch (err) {
    if (!hasCode(err, ErrorCode.NONODE)) throw err;
  }
  try {
    controllerEpoch = ControllerEpochZNode.decode(
      (await client.getData(ControllerEpochZNode.path)).data,
    );
  } catch (err) {
    if (!hasCode(err, ErrorCode.NONODE)) throw err;
  }
  return { controllerId, controllerEpoch, timestampMs };
}

function brokerJson(b: RegisteredBroker): Record<string, unknown> {
  return {
    id: b.info.id,
    endpoints: b.info.endpoints.map((e) => `${e.listenerName}://${e.host}:${e.port}`),
    rack: b.info.rack,
    epoch: b.epoch,
  };
}

function brokerLine(b: RegisteredBroker): string {
  const endpoints = b.info.endpoints
    .map((e) => `${e.listenerName}://${e.host}:${e.port}`)
    .join(',');
  const rack = b.info.rack ? ` rack ${b.info.rack}` : '';
  return `broker ${b.info.id} at ${endpoints}${rack} (epoch ${b.epoch})`;
}

export const clusterCommands: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    const cluster = program
      .command('cluster')
      .description('the Kafka cluster registered in the coordinator');

    cluster
      .command('brokers')
      .description('registered brokers (/brokers/ids)')
      .option('--json', 'print JSON')
      .action(async (o: { json?: boolean }, cmd: Command) => {
        const brokers = await ctx.withClient(cmd, (c) => getAllBrokers(c));
        if (o.json) ctx.out(JSON.stringify(brokers.map(brokerJson)));
        else
          ctx.out(
            brokers.length === 0 ? 'no brokers registered' : brokers.map(brokerLine).join('\n'),
          );
      });

    cluster
      .command('controller')
      .description('the active controller and the controller epoch')
      .option('--json', 'print JSON')
      .action(async (o: { json?: boolean }, cmd: Command) => {
        const view = await ctx.withClient(cmd, readController);
        if (o.json) ctx.out(JSON.stringify(view));
        else {
          ctx.out(
            view.controllerId === -1
              ? `no active controller (controller epoch ${view.controllerEpoch})`
              : `controller: broker ${view.controllerId} ` +
                  `(controller epoch ${view.controllerEpoch})`,
          );
        }
      });

    cluster
      .command('describe')
      .description('cluster id, controller, brokers and partition health')
      .option('--json', 'print JSON')
      .action(async (o: { json?: boolean }, cmd: Command) => {
        const summary = await ctx.withClient(cmd, async (client) => {
          let clusterId: string | null = null;
          try {
            clusterId = ClusterIdZNode.decode((await client.getData(ClusterIdZNode.path)).data);
          } catch (err) {
            if (!hasCode(err, ErrorCode.NONODE)) throw err;
          }
          const controller = await readController(client);
          const brokers = await getAllBrokers(client);
          const topics = await getAllTopics(client);
          let partitions = 0;
          const offline: string[] = [];
          const underReplicated: string[] = [];
          for (const topic of topics) {
            const d = await describeTopic(client, topic);
            for (const p of d?.partitions ?? []) {
              partitions++;
              if (p.leader === -1) offline.push(`${topic}-${p.partition}`);
              else if (p.isr.length < p.replicas.length)
                underReplicated.push(`${topic}-${p.partition}`);
            }
          }
          const reassignments = await reassignmentsInProgress(client);
          return {
            clusterId,
            ...controller,
            reassignmentsInProgress: reassignments,
            brokers: brokers.map(brokerJson),
            topics: topics.length,
            partitions,
            offlinePartitions: offline,
            underReplicatedPartitions: underReplicated,
          };
        });
        if (o.json) {
          ctx.out(JSON.stringify(summary));
          return;
        }
        const controller = summary.controllerId === -1 ? 'none' : `broker ${summary.controllerId}`;
        ctx.out(
          [
            `Cluster id: ${summary.clusterId ?? '(none yet)'}`,
            `Controller: ${controller} (epoch ${summary.controllerEpoch})`,
            `Brokers: ${summary.brokers.map((b) => b.id).join(', ') || 'none'}`,
            `Topics: ${summary.topics}, partitions: ${summary.partitions}`,
            `Offline partitions: ${summary.offlinePartitions.join(', ') || 'none'}`,
            'Under-replicated partitions: ' +
              (summary.underReplicatedPartitions.join(', ') || 'none'),
            `Reassignments in progress: ${
              summary.reassignmentsInProgress.map(reassignmentLine).join('; ') || 'none'
            }`,
          ].join('\n'),
        );
      });
  },
};

export function registerClusterCommands(program: Command, ctx: CliContext): void {
  clusterCommands.register(program, ctx);
}
