/**
 * The ensemble's configuration, as ZooKeeper spells it: `server.N=host:quorumPort:electionPort`
 * lines in zoo.cfg (or our `--ensemble 1=host:q:e,2=...`), the server's own id from `--id` or
 * the `myid` file in the data directory, tickTime, initLimit, syncLimit and snapCount, and
 * read-only mode (`readonlymode.enabled`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SNAP_COUNT } from './zab.js';

export interface EnsembleMember {
  id: number;
  host: string;
  quorumPort: number;
  electionPort: number;
  /** `:observer`: follows the leader and serves clients, never votes (absent: a voter). */
  observer?: true;
}

export interface EnsembleConfig {
  id: number;
  members: EnsembleMember[];
  /** Ticks a follower may take to connect to and sync with its leader (ZooKeeper's). */
  initLimit: number;
  /** Ticks a server in broadcast may go without hearing from its peer. */
  syncLimit: number;
  /** Txns between two snapshots (ZooKeeper's snapCount, default 100,000). */
  snapCount: number;
  /**
   * Read-only mode (../read-only.ts): without a quorum for a while, serve read-only clients.
   * `--read-only`, or `readonlymode.enabled=true` (a Java system property in ZooKeeper).
   */
  readOnly?: boolean;
}

/** ZooKeeper's sample zoo.cfg values. */
export const DEFAULT_INIT_LIMIT = 10;
export const DEFAULT_SYNC_LIMIT = 5;

export class EnsembleConfigError extends Error {
  override name = 'EnsembleConfigError';
}

function port(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) {
    throw new EnsembleConfigError(`${what}: ${JSON.stringify(text)} is not a port`);
  }
  return n;
}

/** One member's address, `host:quorumPort:electionPort[:participant|:observer]`. */
export function parseMember(id: number, address: string): EnsembleMember {
  const parts = address.trim().split(':');
  let observer = false;
  if (parts.length === 4) {
    if (parts[3] !== 'participant' && parts[3] !== 'observer') {
      throw new EnsembleConfigError(`server.${id}: unknown role ${JSON.stringify(parts[3])}`);
    }
    observer = parts[3] === 'observer';
    parts.pop();
  }
  if (parts.length !== 3 || parts[0] === '') {
    throw new EnsembleConfigError(
      `server.${id}=${address}: expected host:quorumPort:electionPort[:observer]`,
    );
  }
  return {
    id,
    host: parts[0]!,
    quorumPort: port(parts[1]!, `server.${id} quorum port`),
    electionPort: port(parts[2]!, `server.${id} election port`),
    ...(observer ? { observer: true as const } : {}),
  };
}

function memberId(text: string): number {
  const id = Number(text);
  if (!/^\d+$/.test(text.trim()) || id < 1 || id > 255) {
    throw new EnsembleConfigError(`server id ${JSON.stringify(text)}: expected 1..255`);
  }
  return id;
}

function checkMembers(members: EnsembleMember[]): EnsembleMember[] {
  const ids = new Set<number>();
  for (const m of members) {
    if (ids.has(m.id)) throw new EnsembleConfigError(`server.${m.id} is listed twice`);
    ids.add(m.id);
  }
  if (members.length > 0 && members.every((m) => m.observer)) {
    throw new EnsembleConfigError('the ensemble has no voting member (all are observers)');
  }
  return members.sort((a, b) => a.id - b.id);
}

/** `1=127.0.0.1:2888:3888,2=...` */
export function parseEnsembleList(list: string): EnsembleMember[] {
  const members = list
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((item) => {
      const eq = item.indexOf('=');
      if (eq <= 0)
        throw new EnsembleConfigError(`--ensemble item ${JSON.stringify(item)}: N=host:q:e`);
      return parseMember(memberId(item.slice(0, eq)), item.slice(eq + 1));
    });
  return checkMembers(members);
}

/** What a zoo.cfg holds that we use. */
export interface ZooCfg {
  tickTime?: number;
  initLimit?: number;
  syncLimit?: number;
  snapCount?: number;
  /** `readonlymode.enabled=true`. */
  readOnly?: boolean;
  dataDir?: string;
  clientPort?: number;
  members: EnsembleMember[];
}

function positiveInt(key: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1)
    throw new EnsembleConfigError(`${key}=${text}: expected a positive integer`);
  return n;
}

/** A zoo.cfg (Java properties: key=value lines, `#` comments). Unknown keys are ignored. */
export function parseZooCfg(text: string): ZooCfg {
  const cfg: ZooCfg = { members: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const eq = line.search(/[=:]/);
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key.startsWith('server.')) {
      cfg.members.push(parseMember(memberId(key.slice('server.'.length)), value));
      continue;
    }
    switch (key) {
      case 'tickTime':
        cfg.tickTime = positiveInt(key, value);
        break;
      case 'initLimit':
        cfg.initLimit = positiveInt(key, value);
        break;
      case 'syncLimit':
        cfg.syncLimit = positiveInt(key, value);
        break;
      case 'snapCount':
        cfg.snapCount = positiveInt(key, value);
        break;
      case 'readonlymode.enabled':
        if (value !== 'true' && value !== 'false') {
          throw new EnsembleConfigError(`${key}=${value}: expected true or false`);
        }
        cfg.readOnly = value === 'true';
        break;
      case 'dataDir':
        cfg.dataDir = value;
        break;
      case 'clientPort':
        cfg.clientPort = port(value, 'clientPort');
        break;
      default:
        break;
    }
  }
  checkMembers(cfg.members);
  return cfg;
}

/** The server's id: `--id` if given, else the number in `<dataDir>/myid` (ZooKeeper's file). */
export function resolveServerId(explicit: number | undefined, dataDir: string): number {
  if (explicit !== undefined) return explicit;
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'myid'), 'utf8');
  } catch {
    throw new EnsembleConfigError(`no --id given and no myid file in ${dataDir}`);
  }
  return memberId(text.trim());
}

export function ensembleConfig(
  id: number,
  members: EnsembleMember[],
  limits: { initLimit?: number; syncLimit?: number; snapCount?: number; readOnly?: boolean } = {},
): EnsembleConfig {
  if (!members.some((m) => m.id === id)) {
    throw new EnsembleConfigError(
      `server id ${id} is not in the ensemble (${members.map((m) => m.id).join(', ')})`,
    );
  }
  return {
    id,
    members,
    initLimit: limits.initLimit ?? DEFAULT_INIT_LIMIT,
    syncLimit: limits.syncLimit ?? DEFAULT_SYNC_LIMIT,
    snapCount: limits.snapCount ?? DEFAULT_SNAP_COUNT,
    ...(limits.readOnly === true ? { readOnly: true } : {}),
  };
}
