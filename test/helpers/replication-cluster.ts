/**
 * The earlier name of test/helpers/cluster.ts, kept so that test files written against it go
 * on compiling: everything is re-exported from there, and `startCluster` keeps its old
 * signature (overrides first). New tests import ./cluster.js.
 */
import { startCluster as start, type Cluster, type ClusterOptions } from './cluster.js';

export * from './cluster.js';

export function startCluster(
  t: { teardown(fn: () => unknown): void },
  overrides: string[],
  options: Omit<ClusterOptions, 'overrides'> = {},
): Promise<Cluster> {
  return start(t, { ...options, overrides });
}
