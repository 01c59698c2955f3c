/**
 * ControllerRequestBatch: the requests one controller event produced, merged per broker and
 * sent when the event is done (Kafka's ControllerBrokerRequestBatch). The state machines only
 * *add* to the batch ("broker 2 must hear about t-0"); `send` turns the additions into
 * LeaderAndIsr, UpdateMetadata and StopReplica requests, in that order, as Kafka does:
 *
 *   1. LeaderAndIsr first, so a broker knows whether it leads or follows before anyone is
 *      told (by UpdateMetadata) to send it produce requests;
 *   2. UpdateMetadata to every broker that needs it;
 *   3. StopReplica last: a replica is only stopped (or deleted) after the new leaders are out.
 *
 * Partition states are read from the context when the batch is *sent*, not when a partition
 * is added, so a partition changed twice within one event is sent once, with its final state.
 * Requests to brokers that are not live when the batch is sent are dropped: a broker that
 * comes back is sent everything on its startup anyway.
 */
import type { Logger } from '../../src/logger.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import type { BrokerAddress, ControlApiKey, QueuedRequest } from './controller-channel-manager.js';
import {
  CONTROL_REQUEST_VERSIONS,
  partitionKey,
  type ControllerContext,
  type TopicPartitionId,
} from './controller-context.js';

/** Where the controller's requests go (ControllerChannelManager, or a fake in tests). */
export interface BrokerRequestSender {
  addBroker(broker: BrokerAddress): void;
  removeBroker(brokerId: number): void;
  send<K extends ControlApiKey>(brokerId: number, request: QueuedRequest<K>): void;
  shutdown(): void;
}

interface StopReplicaEntry {
  brokerId: number;
  partitions: TopicPartitionId[];
  deletePartitions: boolean;
  /** Called with the first error code of the answer (NONE when every partition stopped). */
  onResult?: (errorCode: number) => void;
}

export class ControllerRequestBatch {
  readonly #leaderAndIsr = new Map<number, Map<string, { tp: TopicPartitionId; isNew: boolean }>>();
  readonly #updateMetadata = new Map<number, Map<string, TopicPartitionId>>();
  /** Partitions for an UpdateMetadata to every live broker; undefined = none needed. */
  #updateMetadataAll: Map<string, TopicPartitionId> | undefined;
  readonly #stopReplicas: StopReplicaEntry[] = [];

  /** Is there anything to send? */
  get isEmpty(): boolean {
    return (
      this.#leaderAndIsr.size === 0 &&
      this.#updateMetadata.size === 0 &&
      this.#updateMetadataAll === undefined &&
      this.#stopReplicas.length === 0
    );
  }

  leaderAndIsrTo(brokerId: number, tp: TopicPartitionId, isNew: boolean): void {
    let entries = this.#leaderAndIsr.get(brokerId);
    if (!entries) {
      entries = new Map<string, { tp: TopicPartitionId; isNew: boolean }>();
      this.#leaderAndIsr.set(brokerId, entries);
    }
    const key = partitionKey(tp.topic, tp.partition);
    entries.set(key, { tp, isNew: isNew || (entries.get(key)?.isNew ?? false) });
  }

  /** LeaderAndIsr for `tp` to each of its live replicas (`replicas` overrides the assignment). */
  leaderAndIsrToReplicas(
    ctx: ControllerContext,
    tp: TopicPartitionId,
    isNew: boolean,
    replicas: readonly number[] = ctx.replicasOf(tp),
  ): void {
    const live = ctx.liveBrokerIds();
    for (const replica of replicas) if (live.has(replica)) this.leaderAndIsrTo(replica, tp, isNew);
  }

  updateMetadataTo(brokerId: number, partitions: readonly TopicPartitionId[]): void {
    let entries = this.#updateMetadata.get(brokerId);
    if (!entries)
      this.#updateMetadata.set(brokerId, (entries = new Map<string, TopicPartitionId>()));
    for (const tp of partitions) entries.set(partitionKey(tp.topic, tp.partition), tp);
  }

  /** UpdateMetadata to every live broker; an empty list still sends the broker list. */
  updateMetadataToAll(partitions: readonly TopicPartitionId[]): void {
    this.#updateMetadataAll ??= new Map();
    for (const tp of partitions)
      this.#updateMetadataAll.set(partitionKey(tp.topic, tp.partition), tp);
  }

  stopReplica(
    brokerId: number,
    partitions: TopicPartitionId[],
    deletePartitions: boolean,
    onResult?: (errorCode: number) => void,
  ): void {
    this.#stopReplicas.push({ brokerId, partitions, deletePartitions, onResult });
  }

  /** Build every request from the context as it is now and hand them to the sender. */
  send(options: {
    ctx: ControllerContext;
    sender: BrokerRequestSender;
    controllerId: number;
    log: Logger;
  }): void {
    const { ctx, sender, controllerId, log } = options;
    const live = ctx.liveBrokerIds();
    for (const [brokerId, entries] of this.#leaderAndIsr) {
      if (!live.has(brokerId)) continue;
      // isNew is one flag per request in v2, so new and existing replicas go separately.
      for (const isNew of [true, false]) {
        const tps = [...entries.values()]
          .filter((e) => e.isNew === isNew && ctx.stateOf(e.tp))
          .map((e) => e.tp);
        if (tps.length === 0) continue;
        sender.send(brokerId, {
          apiKey: ApiKey.LeaderAndIsr,
          apiVersion: CONTROL_REQUEST_VERSIONS.leaderAndIsr,
          body: ctx.leaderAndIsrRequest(controllerId, brokerId, tps, isNew),
          onResponse: (response) => {
            const failed = response.partitionErrors.filter((p) => p.errorCode !== ErrorCode.NONE);
            if (response.errorCode !== ErrorCode.NONE || failed.length > 0) {
              log.warn(
                { targetBrokerId: brokerId, errorCode: response.errorCode, failed },
                'LeaderAndIsr errors',
              );
            }
          },
        });
      }
    }
    const umTargets = new Map(this.#updateMetadata);
    if (this.#updateMetadataAll) {
      for (const id of live)
        umTargets.set(id, new Map([...(umTargets.get(id) ?? []), ...this.#updateMetadataAll]));
    }
    for (const [brokerId, tps] of umTargets) {
      if (!live.has(brokerId)) continue;
      sender.send(brokerId, {
        apiKey: ApiKey.UpdateMetadata,
        apiVersion: CONTROL_REQUEST_VERSIONS.updateMetadata,
        body: ctx.updateMetadataRequest(controllerId, brokerId, [...tps.values()]),
        onResponse: (response) => {
          if (response.errorCode !== ErrorCode.NONE) {
            log.warn(
              { targetBrokerId: brokerId, errorCode: response.errorCode },
              'UpdateMetadata error',
            );
          }
        },
      });
    }
    for (const stop of this.#stopReplicas) {
      if (!live.has(stop.brokerId)) continue;
      sender.send(stop.brokerId, {
        apiKey: ApiKey.StopReplica,
        apiVersion: CONTROL_REQUEST_VERSIONS.stopReplica,
        body: ctx.stopReplicaRequest(
          controllerId,
          stop.brokerId,
          stop.partitions,
          stop.deletePartitions,
        ),
        onResponse: (response) => {
          const failed = response.partitionErrors.find((p) => p.errorCode !== ErrorCode.NONE);
          stop.onResult?.(
            response.errorCode !== ErrorCode.NONE
              ? response.errorCode
              : (failed?.errorCode ?? ErrorCode.NONE),
          );
        },
      });
    }
  }
}
