/**
 * The HTTP admin endpoint, like ZooKeeper's AdminServer (default port 8080):
 *   GET /commands            the list of commands (JSON)
 *   GET /commands/<name>     one command as JSON: {"command", "error", "output", ...fields}
 *                            (long names and four-letter aliases both work: /commands/monitor,
 *                            /commands/mntr)
 *   GET /metrics             Prometheus text format (metrics.ts): every mntr figure as a gauge,
 *                            request and fsync latency histograms, process metrics
 * An unknown command answers 200 with "error": "Unknown command: x", as ZooKeeper 3.8 does.
 *
 * Locking it (coordinator/security-config.ts): with `tls` the port speaks HTTPS only
 * (ZooKeeper's admin.forceHttps); with `login` (a digest id, `user:base64(sha1(user:pw))`)
 * every request must give that user's password, as HTTP Basic credentials or in ZooKeeper
 * 3.9's form `Authorization: digest user:password`; anything else gets 401 and is logged.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { TlsOptions } from 'node:tls';
import type { Logger } from '../src/logger.js';
import { credentialsOf, loginChallenge, matchesLogin } from '../src/security/http-login.js';
import { formatSessionId } from '../src/protocol/coordinator/messages.js';
import type { CoordinatorServer } from './coordinator-server.js';
import { mntr } from './four-letter-words.js';
import { CoordinatorMetrics } from './metrics.js';

/** ZooKeeper's long command names and their four-letter aliases. */
const ALIASES: Record<string, string> = {
  ruok: 'ruok',
  is_read_only: 'isro',
  isro: 'isro',
  server_stats: 'srvr',
  srvr: 'srvr',
  stats: 'stat',
  stat: 'stat',
  monitor: 'mntr',
  mntr: 'mntr',
  connections: 'cons',
  cons: 'cons',
  watch_summary: 'wchs',
  wchs: 'wchs',
  watches: 'wchc',
  wchc: 'wchc',
  watches_by_path: 'wchp',
  wchp: 'wchp',
  dump: 'dump',
  environment: 'envi',
  env: 'envi',
  envi: 'envi',
  configuration: 'conf',
  conf: 'conf',
  config: 'conf',
  dirs: 'dirs',
  connection_stat_reset: 'crst',
  crst: 'crst',
  stat_reset: 'srst',
  srst: 'srst',
};

function jsonFields(word: string, core: CoordinatorServer): Record<string, unknown> {
  const s = core.snapshot();
  switch (word) {
    case 'mntr':
      return Object.fromEntries(mntr(s));
    case 'srvr':
    case 'stat':
      return {
        version: s.version,
        read_only: s.mode === 'read-only',
        server_stats: {
          packets_sent: s.packetsSent,
          packets_received: s.packetsReceived,
          max_latency: s.latencyMaxMs,
          min_latency: s.latencyMinMs,
          avg_latency: s.latencyAvgMs,
          outstanding_requests: s.outstandingRequests,
          last_processed_zxid: s.lastZxid,
          num_alive_client_connections: s.connections.length,
          node_count: s.nodeCount,
          server_state: s.mode ?? 'standalone',
        },
      };
    case 'cons':
      return {
        connections: s.connections.map((c) => ({
          remote_socket_address: c.remoteAddress,
          protocol: c.protocol,
          session_id: c.sessionId === undefined ? null : formatSessionId(c.sessionId),
          packets_received: c.stats.packetsReceived,
          packets_sent: c.stats.packetsSent,
          last_operation: c.stats.lastOp,
        })),
      };
    case 'dump':
      return {
        expiry_time_to_session_ids: s.sessions.map((x) => ({
          session_id: formatSessionId(x.id),
          expires_at: x.expiresAtMs,
        })),
        session_id_to_ephemeral_paths: Object.fromEntries(
          s.sessionsWithEphemerals.map(({ id, paths }) => [formatSessionId(id), paths]),
        ),
      };
    case 'isro':
      return { read_only: s.mode === 'read-only' };
    case 'wchs':
      return {
        num_connections: s.watcherCount,
        num_paths: s.watchedPathCount,
        num_total_watches: s.watchCount,
      };
    default:
      return {};
  }
}

export interface AdminServerOptions {
  /** Serve HTTPS only (admin.forceHttps): node's TLS options, key and cert at least. */
  tls?: TlsOptions;
  /** A digest id `user:base64(sha1(user:password))` every request must log in as. */
  login?: string;
}

export function createAdminServer(
  core: CoordinatorServer,
  logger: Logger,
  options: AdminServerOptions = {},
): Server | HttpsServer {
  const log = logger.child({ component: 'admin-server' });
  const metrics = new CoordinatorMetrics(core);
  const handler: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (options.login !== undefined) {
      const given = credentialsOf(req);
      if (given === undefined || !matchesLogin(given, options.login)) {
        log.warn(
          { remote: req.socket.remoteAddress, path: url.pathname, given: given !== undefined },
          given === undefined ? 'admin request without a login' : 'admin login refused',
        );
        res.writeHead(401, {
          'content-type': 'text/plain',
          'www-authenticate': loginChallenge('coordinator admin'),
        });
        res.end('login required\n');
        return;
      }
    }
    if (req.method !== 'GET') return send(405, 'text/plain', 'GET only\n');
    if (url.pathname === '/metrics') {
      metrics
        .metrics()
        .then((text) => send(200, metrics.registry.contentType, text))
        .catch((err: unknown) => {
          log.error({ err }, 'metrics failed');
          send(500, 'text/plain', 'metrics failed\n');
        });
      return;
    }
    if (url.pathname === '/commands' || url.pathname === '/commands/') {
      return send(
        200,
        'application/json',
        JSON.stringify({ commands: Object.keys(ALIASES).sort() }, null, 2) + '\n',
      );
    }
    const match = /^\/commands\/([a-z_]+)$/.exec(url.pathname);
    if (!match) return send(404, 'text/plain', 'try /commands, /commands/<name> or /metrics\n');
    const name = match[1]!;
    const word = ALIASES[name];
    if (!word) {
      return send(
        200,
        'application/json',
        JSON.stringify({ command: name, error: `Unknown command: ${name}` }) + '\n',
      );
    }
    const output = core.fourLetterWord(word) ?? '';
    const body = { command: name, error: null, output, ...jsonFields(word, core) };
    return send(200, 'application/json', JSON.stringify(body, null, 2) + '\n');
  };
  return options.tls ? createHttpsServer(options.tls, handler) : createServer(handler);
}
