/**
 * ZooKeeper's four-letter words (ruok, srvr, stat, mntr, cons, wchs, wchc, wchp, dump, envi,
 * conf, isro, dirs), rendered from a snapshot of the server's state in the text formats of
 * ZooKeeper 3.8 (https://zookeeper.apache.org/doc/r3.8.0/zookeeperAdmin.html#sc_4lw). The
 * same text is served on the client port (ZooKeeper's binary protocol), on the WebSocket protocol's
 * `command` message, and as the `output` of the HTTP admin endpoint.
 */
import { hostname, platform, arch, release, userInfo } from 'node:os';
import { formatSessionId } from '../src/protocol/coordinator/messages.js';
import type { ConnectionStats } from './connection.js';

export interface ServerSnapshot {
  version: string;
  /** srvr's Mode and mntr's server_state: standalone, leader, follower, read-only, looking. */
  mode?: string;
  /** Leaders only: followers in sync (mntr's zk_synced_followers). */
  syncedFollowers?: number;
  nowMs: number;
  startedAtMs: number;
  lastZxid: number;
  durableZxid: number;
  nodeCount: number;
  approximateDataSize: number;
  ephemeralCount: number;
  /** Watches in both of ZooKeeper's tables (mntr); a persistent watch counts twice. */
  watchCount: number;
  /** Watches in ZooKeeper's data table only (wchs). */
  dataWatchCount: number;
  watchedPathCount: number;
  watcherCount: number;
  packetsReceived: number;
  packetsSent: number;
  outstandingRequests: number;
  latencyMinMs: number;
  latencyAvgMs: number;
  latencyMaxMs: number;
  commits: number;
  commitAvgMs: number;
  tickMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  dataDir: string;
  clientPort: number;
  /** -1 when there is no secure client port. */
  secureClientPort: number;
  serverId: number;
  sessions: { id: bigint; timeoutMs: number; expiresAtMs: number }[];
  sessionsWithEphemerals: { id: bigint; paths: string[] }[];
  connections: {
    id: number;
    protocol: string;
    remoteAddress: string;
    sessionId: bigint | undefined;
    timeoutMs: number | undefined;
    stats: ConnectionStats;
  }[];
  watchesByPath: { path: string; sessions: bigint[] }[];
  watchesBySession: { sessionId: bigint; paths: string[] }[];
  /** ZooKeeper-named counters and summaries (server-metrics.ts), without the zk_ prefix. */
  metrics: [string, number][];
  /** Undefined where the system cannot tell (no /proc). */
  fileDescriptors: { open: number; max: number } | undefined;
  /** Bytes of the files in the data directory (`dirs`, `conf`). */
  dataDirBytes: number;
}

const hex = (n: number): string => '0x' + n.toString(16);
const ms = (n: number): string => (Math.round(n * 1000) / 1000).toString();

function versionLine(s: ServerSnapshot): string {
  return `Zookeeper version: ${s.version}, built on samsa`;
}

function statBody(s: ServerSnapshot): string {
  return (
    `Latency min/avg/max: ${ms(s.latencyMinMs)}/${ms(s.latencyAvgMs)}/${ms(s.latencyMaxMs)}\n` +
    `Received: ${s.packetsReceived}\n` +
    `Sent: ${s.packetsSent}\n` +
    `Connections: ${s.connections.length}\n` +
    `Outstanding: ${s.outstandingRequests}\n` +
    `Zxid: ${hex(s.lastZxid)}\n` +
    `Mode: ${s.mode ?? 'standalone'}\n` +
    `Node count: ${s.nodeCount}\n`
  );
}

function connectionLine(c: ServerSnapshot['connections'][number], detailed: boolean): string {
  const st = c.stats;
  const base =
    ` /${c.remoteAddress}[1](queued=0` + `,recved=${st.packetsReceived},sent=${st.packetsSent}`;
  if (!detailed) return base + ')\n';
  const avg = st.replies === 0 ? 0 : st.totalLatencyMs / st.replies;
  return (
    base +
    `,sid=${c.sessionId === undefined ? '0x0' : formatSessionId(c.sessionId)}` +
    `,lop=${st.lastOp},est=${st.connectedAtMs},to=${c.timeoutMs ?? 0}` +
    `,lcxid=${hex(Math.max(st.lastCxid, 0))},lzxid=${hex(Math.max(st.lastZxid, 0))}` +
    `,lresp=${st.lastResponseAtMs},llat=${st.lastLatencyMs}` +
    `,minlat=${st.replies === 0 ? 0 : st.minLatencyMs}` +
    `,avglat=${ms(avg)},maxlat=${st.maxLatencyMs})\n`
  );
}

/** The text ZooKeeper would print, or undefined for a word we do not know. */
export function renderFourLetterWord(word: string, s: ServerSnapshot): string | undefined {
  switch (word) {
    case 'ruok':
      return 'imok';
    case 'isro':
      // ZooKeeper's IsroCommand: `null` while no server runs (a member electing or syncing).
      return s.mode === 'read-only' ? 'ro' : s.mode === 'looking' ? 'null' : 'rw';
    case 'srvr':
      return `${versionLine(s)}\n${statBody(s)}`;
    case 'stat':
      return (
        `${versionLine(s)}\nClients:\n` +
        s.connections.map((c) => connectionLine(c, false)).join('') +
        `\n${statBody(s)}`
      );
    case 'cons':
      return s.connections.map((c) => connectionLine(c, true)).join('') + '\n';
    case 'mntr':
      return mntr(s)
        .map(([key, value]) => `zk_${key}\t${value}\n`)
        .join('');
    case 'wchs':
      return (
        `${s.watcherCount} connections watching ${s.watchedPathCount} paths\n` +
        `Total watches:${s.dataWatchCount}\n`
      );
    case 'wchc':
      return s.watchesBySession
        .map((w) => `${formatSessionId(w.sessionId)}\n` + w.paths.map((p) => `\t${p}\n`).join(''))
        .join('');
    case 'wchp':
      return s.watchesByPath
        .map((w) => `${w.path}\n` + w.sessions.map((id) => `\t${formatSessionId(id)}\n`).join(''))
        .join('');
    case 'dump': {
      const expiring = new Map<number, bigint[]>();
      for (const session of s.sessions) {
        const list = expiring.get(session.expiresAtMs) ?? [];
        list.push(session.id);
        expiring.set(session.expiresAtMs, list);
      }
      let out = 'SessionTracker dump:\n';
      out += `Session Sets (${expiring.size})/(${s.sessions.length}):\n`;
      for (const [deadline, ids] of [...expiring].sort((a, b) => a[0] - b[0])) {
        out += `${ids.length} expire at ${new Date(deadline).toString()}:\n`;
        for (const id of ids) out += `\t${formatSessionId(id)}\n`;
      }
      out += 'ephemeral nodes dump:\n';
      out += `Sessions with Ephemerals (${s.sessionsWithEphemerals.length}):\n`;
      for (const { id, paths } of s.sessionsWithEphemerals) {
        out += `${formatSessionId(id)}:\n` + paths.map((p) => `\t${p}\n`).join('');
      }
      out += 'Connections dump:\n';
      out += `Connections Sets (1)/(${s.connections.length}):\n`;
      out += `${s.connections.length} expire at ${new Date(s.nowMs).toString()}:\n`;
      for (const c of s.connections)
        out += `\tip: /${c.remoteAddress} sessionId: ${formatSessionId(c.sessionId ?? 0n)}\n`;
      return out;
    }
    case 'envi': {
      const user = safeUser();
      const memory = process.memoryUsage();
      return (
        'Environment:\n' +
        `zookeeper.version=${s.version}, built on samsa\n` +
        `host.name=${hostname()}\n` +
        `node.version=${process.version}\n` +
        `os.name=${platform()}\n` +
        `os.arch=${arch()}\n` +
        `os.version=${release()}\n` +
        `user.name=${user}\n` +
        `user.dir=${process.cwd()}\n` +
        `os.memory.free=${Math.round((memory.heapTotal - memory.heapUsed) / 1048576)}MB\n` +
        `os.memory.total=${Math.round(memory.heapTotal / 1048576)}MB\n`
      );
    }
    case 'conf':
      return (
        `clientPort=${s.clientPort}\n` +
        `secureClientPort=${s.secureClientPort}\n` +
        `dataDir=${s.dataDir}\n` +
        `dataDirSize=${s.dataDirBytes}\n` +
        `dataLogDir=${s.dataDir}\n` +
        `dataLogSize=${s.dataDirBytes}\n` +
        `tickTime=${s.tickMs}\n` +
        `maxClientCnxns=60\n` +
        `minSessionTimeout=${s.minSessionTimeoutMs}\n` +
        `maxSessionTimeout=${s.maxSessionTimeoutMs}\n` +
        `clientPortListenBacklog=-1\n` +
        `serverId=${s.serverId}\n`
      );
    case 'dirs':
      // Our transaction log and snapshot are one LevelDB directory, so both sizes are the same,
      // as in a ZooKeeper whose dataLogDir is its dataDir.
      return `datadir_size: ${s.dataDirBytes}\nlogdir_size: ${s.dataDirBytes}\n`;
    default:
      return undefined;
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** mntr's keys, in ZooKeeper's order for the ones ZooKeeper has. */
export function mntr(s: ServerSnapshot): [string, string | number][] {
  return [
    ['version', `${s.version}, built on samsa`],
    ['server_state', s.mode ?? 'standalone'],
    ...(s.syncedFollowers === undefined
      ? []
      : ([['synced_followers', s.syncedFollowers]] as [string, number][])),
    ['avg_latency', ms(s.latencyAvgMs)],
    ['max_latency', ms(s.latencyMaxMs)],
    ['min_latency', ms(s.latencyMinMs)],
    ['packets_received', s.packetsReceived],
    ['packets_sent', s.packetsSent],
    ['num_alive_connections', s.connections.length],
    ['outstanding_requests', s.outstandingRequests],
    ['znode_count', s.nodeCount],
    ['watch_count', s.watchCount],
    ['ephemerals_count', s.ephemeralCount],
    ['approximate_data_size', s.approximateDataSize],
    ...(s.fileDescriptors === undefined
      ? []
      : ([
          ['open_file_descriptor_count', s.fileDescriptors.open],
          ['max_file_descriptor_count', s.fileDescriptors.max],
        ] as [string, number][])),
    ['global_sessions', s.sessions.length],
    ['last_zxid', s.lastZxid],
    ['durable_zxid', s.durableZxid],
    ['group_commits', s.commits],
    ['avg_group_commit_ms', ms(s.commitAvgMs)],
    ['uptime', s.nowMs - s.startedAtMs],
    ...s.metrics,
  ];
}
