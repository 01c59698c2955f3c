/**
 * ZooKeeper's quotas: where they live in the tree and how their statistics are written.
 *
 * A quota on `/app` is two nodes that clients (zkCli's `setquota`) create themselves:
 *
 *   /zookeeper/quota/app/zookeeper_limits   the limits, e.g. `count=5,bytes=-1` (-1 = none)
 *   /zookeeper/quota/app/zookeeper_stats    the usage, `count=N,bytes=M`
 *
 * The server keeps the usage up to date (data-tree.ts does it, as ZooKeeper's DataTree does):
 * when a stats node is created its data is replaced by the real count of nodes in the subtree
 * at `/app` (the node itself included) and the sum of their data lengths, and every later
 * create, delete and setData below the deepest quota'd ancestor adds its difference. A quota
 * exists from the moment its limits node does; a quota on `/` is ignored, as in ZooKeeper.
 *
 * Enforcement is off, as ZooKeeper's default `zookeeper.enforceQuota=false`: going over a
 * limit is reported by zkCli's `listquota`, never refused.
 *
 * Stats data format (StatsTrack): comma-separated `key=value` pairs. We read `count` and
 * `bytes` and write exactly `count=N,bytes=M`; anything unreadable counts as 0, as
 * ZooKeeper's parser leaves missing keys at 0.
 */

export const QUOTA_ROOT = '/zookeeper/quota';
export const LIMITS_NODE = 'zookeeper_limits';
export const STATS_NODE = 'zookeeper_stats';

export interface QuotaUsage {
  count: number;
  bytes: number;
}

/** `/app` -> `/zookeeper/quota/app/zookeeper_stats` */
export function quotaStatsPath(quotaPath: string): string {
  return `${QUOTA_ROOT}${quotaPath}/${STATS_NODE}`;
}

/** The quota'd path a limits node stands for (`.../app/zookeeper_limits` -> `/app`). */
export function quotaPathOfLimitsNode(path: string): string | undefined {
  return quotaPathOf(path, LIMITS_NODE);
}

/** The quota'd path a stats node stands for (`.../app/zookeeper_stats` -> `/app`). */
export function quotaPathOfStatsNode(path: string): string | undefined {
  return quotaPathOf(path, STATS_NODE);
}

function quotaPathOf(path: string, leaf: string): string | undefined {
  const suffix = '/' + leaf;
  if (!path.startsWith(QUOTA_ROOT + '/') || !path.endsWith(suffix)) return undefined;
  const quotaPath = path.slice(QUOTA_ROOT.length, path.length - suffix.length);
  // `/zookeeper/quota/zookeeper_limits` would name a quota on `/`, which ZooKeeper ignores.
  return quotaPath === '' ? undefined : quotaPath;
}

export function parseQuotaUsage(data: Buffer | null): QuotaUsage {
  const usage: QuotaUsage = { count: 0, bytes: 0 };
  if (data === null) return usage;
  for (const pair of data.toString('utf8').split(',')) {
    const [key, value] = pair.split('=');
    const n = Number(value);
    if (!Number.isSafeInteger(n)) continue;
    if (key === 'count') usage.count = n;
    else if (key === 'bytes') usage.bytes = n;
  }
  return usage;
}

export function formatQuotaUsage(usage: QuotaUsage): Buffer {
  return Buffer.from(`count=${usage.count},bytes=${usage.bytes}`);
}
