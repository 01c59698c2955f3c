/**
 * Automatic preferred-leader balancing (auto.leader.rebalance.enable, Kafka's
 * `checkAndTriggerAutoLeaderRebalance`), the decision. After a broker restarts it leads
 * nothing: its partitions moved to other replicas while it was away. Every
 * leader.imbalance.check.interval.seconds (300) the controller computes, per broker, the
 * share of the partitions it is preferred for (first in the assignment) that it does not
 * lead; when that share is above leader.imbalance.per.broker.percentage (10) the preferred
 * election runs for those partitions. Pure: the controller passes its context's view.
 *
 * Partitions being reassigned or deleted are left alone, and so are partitions whose
 * preferred replica is not live and in the ISR (the election would fail; it waits for the
 * replica to catch up).
 */
import type { LeaderAndIsr } from '../../src/znodes.js';
import { preferredReplicaLeads, preferredReplicaMayLead } from './leader-election.js';

export interface PartitionView {
  topic: string;
  partition: number;
  replicas: readonly number[];
  state: LeaderAndIsr;
  /** Being reassigned or deleted: not touched. */
  busy: boolean;
}

export interface ImbalanceReport {
  /** brokerId -> share (0..1) of its preferred partitions it does not lead. */
  ratioByBroker: Map<number, number>;
  /** The partitions to run the preferred election for. */
  toElect: { topic: string; partition: number }[];
}

export function leaderImbalance(options: {
  partitions: readonly PartitionView[];
  liveBrokerIds: ReadonlySet<number>;
  imbalancePerBrokerPercentage: number;
}): ImbalanceReport {
  const byPreferred = new Map<number, PartitionView[]>();
  for (const p of options.partitions) {
    const preferred = p.replicas[0];
    if (preferred === undefined || p.busy) continue;
    byPreferred.set(preferred, [...(byPreferred.get(preferred) ?? []), p]);
  }
  const ratioByBroker = new Map<number, number>();
  const toElect: { topic: string; partition: number }[] = [];
  for (const [broker, partitions] of [...byPreferred].sort((a, b) => a[0] - b[0])) {
    const notLed = partitions.filter((p) => !preferredReplicaLeads(p.replicas, p.state));
    const ratio = notLed.length / partitions.length;
    ratioByBroker.set(broker, ratio);
    if (ratio * 100 <= options.imbalancePerBrokerPercentage) continue;
    for (const p of notLed)
      if (preferredReplicaMayLead(p.replicas, p.state, options.liveBrokerIds))
        toElect.push({ topic: p.topic, partition: p.partition });
  }
  return { ratioByBroker, toElect };
}
