/**
 * The users entity of `coordinator configs` (Kafka's kafka-configs.sh --zookeeper
 * --entity-type users): SCRAM credentials in /config/users/<name>, see
 * src/security/user-scram-admin.ts.
 *
 *   configs --entity-type users --entity-name alice --alter \
 *       --add-config 'SCRAM-SHA-256=[iterations=8192,password=alice-secret]'
 *   configs --entity-type users --entity-name alice --alter --delete-config 'SCRAM-SHA-512'
 *   configs --entity-type users --entity-name alice --describe
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { isScramMechanism, type ScramMechanism } from '../../src/security/scram-credential.js';
import {
  alterUserScram,
  describeUserScram,
  parseScramAddConfig,
} from '../../src/security/user-scram-admin.js';
import { UsageError } from './context.js';

export interface UserConfigsOptions {
  entityName: string;
  alter: boolean;
  describe: boolean;
  addConfig?: string;
  deleteConfig?: string;
}

/** Runs one users command; returns the lines to print. */
export async function runUserConfigs(
  zk: CoordinatorClient,
  o: UserConfigsOptions,
): Promise<string[]> {
  if (o.alter) {
    let upsert;
    try {
      upsert = o.addConfig === undefined ? [] : parseScramAddConfig(o.addConfig);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const remove: ScramMechanism[] = [];
    for (const name of (o.deleteConfig ?? '').split(',').map((s) => s.trim())) {
      if (name === '') continue;
      if (!isScramMechanism(name)) throw new UsageError(`cannot delete ${name} of a user`);
      remove.push(name);
    }
    if (upsert.length === 0 && remove.length === 0) {
      throw new UsageError('--alter needs --add-config or --delete-config');
    }
    await alterUserScram(zk, o.entityName, { upsert, delete: remove });
    return [`Completed updating config for user ${o.entityName}.`];
  }
  const found = await describeUserScram(zk, o.entityName);
  const configs = found.map((f) => `${f.mechanism}=iterations=${f.iterations}`).join(',');
  return [`Configs for user-principal '${o.entityName}' are ${configs}`];
}
