/**
 * The dashboard's HTTP and WebSocket server: a thin adapter around `Dashboard` (dashboard.ts).
 *
 *   GET  /                     the page (public/index.html, public/app.js, public/style.css)
 *   GET  /vendor/uPlot.*       the charting library, served from node_modules (works offline)
 *   GET  /api/state            everything the page shows, as JSON (also handy with curl)
 *   GET  /api/znode?path=/x    one znode: data (JSON pretty-printed when it is JSON), Stat,
 *                              children, ephemeral owner and the broker holding that session
 *   GET  /api/lag?group=g      the lag history of one group (the last hour)
 *   POST /api/action/<name>    an action with a JSON body (actions.ts); 403 when read-only
 *   WS   /ws                   pushes: `state` (cluster view, znode paths), `events` (new
 *                              timeline entries), `stats` (rates, groups), `znodes` (changed
 *                              paths, for the znode browser)
 *
 * Locking it (`samsa dashboard --https --login`): with `tls` the port speaks HTTPS only and
 * the page's WebSocket is `wss://`; with `login` (a digest id `user:base64(sha1(user:pw))`,
 * the coordinator's --admin-login form, src/security/http-login.ts) every request, the page,
 * its API and the WebSocket upgrade alike, must carry that user's password as HTTP Basic
 * credentials; anything else gets 401 (with a Basic challenge, so a browser asks) and is
 * logged.
 *
 * Limits: request bodies up to BODY_BYTES_MAX; WebSocket clients up to CLIENTS_MAX, and a
 * client whose send buffer is over SEND_BUFFER_BYTES_MAX is skipped until it drains, so a
 * slow browser cannot make the dashboard hold unbounded memory.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { TlsOptions } from 'node:tls';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger.js';
import { checkLogin, loginChallenge } from '../security/http-login.js';
import type { Dashboard } from './dashboard.js';

const BODY_BYTES_MAX = 256 * 1024;
const CLIENTS_MAX = 100;
const SEND_BUFFER_BYTES_MAX = 8 * 1024 * 1024;

const HERE = dirname(fileURLToPath(import.meta.url));

/** The repository root, from src/dashboard/ or from dist/src/dashboard/. */
function findRoot(): string {
  let dir = HERE;
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = resolve(dir, '..');
  }
  throw new Error(`cannot find the repository root above ${HERE}`);
}

const ROOT = findRoot();
const PUBLIC = join(ROOT, 'src', 'dashboard', 'public');
const UPLOT = join(ROOT, 'node_modules', 'uplot', 'dist');

/** Every file the server sends: URL path -> file and content type. Nothing else is served. */
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: join(PUBLIC, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: join(PUBLIC, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: join(PUBLIC, 'style.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': {
    file: join(UPLOT, 'uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/vendor/uPlot.min.css': { file: join(UPLOT, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

export type PushMessage =
  | { type: 'state'; [key: string]: unknown }
  | { type: 'events'; [key: string]: unknown }
  | { type: 'stats'; [key: string]: unknown }
  | { type: 'znodes'; [key: string]: unknown };

const LOGIN_REALM = 'samsa dashboard';

export interface DashboardServerSecurity {
  /** Serve HTTPS (and wss://) only: node's TLS options, key and cert at least. */
  tls?: TlsOptions;
  /** A digest id `user:base64(sha1(user:password))` every request must log in as. */
  login?: string;
}

export class DashboardServer {
  readonly #http: Server | HttpsServer;
  readonly #wss: WebSocketServer;
  readonly #dashboard: Dashboard;
  readonly #logger: Logger;
  readonly #login: string | undefined;

  constructor(options: { dashboard: Dashboard; logger: Logger } & DashboardServerSecurity) {
    this.#dashboard = options.dashboard;
    this.#logger = options.logger;
    this.#login = options.login;
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      if (!this.#loggedIn(req)) {
        res.writeHead(401, {
          'content-type': 'application/json; charset=utf-8',
          'www-authenticate': loginChallenge(LOGIN_REALM),
        });
        res.end(JSON.stringify({ ok: false, message: 'login required' }));
        return;
      }
      this.#handle(req, res).catch((err: unknown) => {
        this.#logger.warn({ err, url: req.url }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { ok: false, message: (err as Error).message });
        else res.end();
      });
    };
    this.#http = options.tls ? createHttpsServer(options.tls, listener) : createServer(listener);
    this.#wss = new WebSocketServer({
      server: this.#http,
      path: '/ws',
      maxPayload: 64 * 1024,
      verifyClient: (info, done) => {
        if (this.#loggedIn(info.req)) done(true);
        else
          done(false, 401, 'login required', { 'www-authenticate': loginChallenge(LOGIN_REALM) });
      },
    });
    this.#wss.on('connection', (ws) => this.#onConnection(ws));
  }

  listen(port: number, host: string): Promise<{ host: string; port: number }> {
    return new Promise((resolveListen, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(port, host, () => {
        const address = this.#http.address() as { address: string; port: number };
        resolveListen({ host: address.address, port: address.port });
      });
    });
  }

  /** Whether `req` may in: always without a login; else it must log in (a refusal is logged). */
  #loggedIn(req: IncomingMessage): boolean {
    if (this.#login === undefined) return true;
    const outcome = checkLogin(req, this.#login);
    if (outcome === 'ok') return true;
    this.#logger.warn(
      {
        remote: req.socket.remoteAddress,
        url: req.url,
        upgrade: req.headers.upgrade !== undefined,
      },
      outcome === 'missing' ? 'dashboard request without a login' : 'dashboard login refused',
    );
    return false;
  }

  /** Sends `message` to every connected page. */
  broadcast(message: PushMessage): void {
    if (this.#wss.clients.size === 0) return;
    const text = JSON.stringify(message);
    for (const ws of this.#wss.clients) {
      if (ws.readyState === ws.OPEN && ws.bufferedAmount < SEND_BUFFER_BYTES_MAX) ws.send(text);
    }
  }

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((r) => this.#wss.close(() => r()));
    await new Promise<void>((r) => this.#http.close(() => r()));
  }

  #onConnection(ws: WebSocket): void {
    if (this.#wss.clients.size > CLIENTS_MAX) {
      ws.close(1013, 'too many dashboard clients');
      return;
    }
    // The page sends nothing; any message is ignored. Everything it needs comes pushed.
    ws.on('error', (err) => this.#logger.debug({ err }, 'dashboard websocket error'));
    ws.send(JSON.stringify({ type: 'state', ...this.#dashboard.statePayload() }));
    ws.send(JSON.stringify({ type: 'events', events: this.#dashboard.timeline, reset: true }));
    ws.send(JSON.stringify({ type: 'stats', ...this.#dashboard.statsPayload() }));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (req.method === 'GET' && STATIC[url.pathname] !== undefined) {
      const { file, type } = STATIC[url.pathname]!;
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
      res.end(body);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/state') {
      sendJson(res, 200, {
        ...this.#dashboard.statePayload(),
        ...this.#dashboard.statsPayload(),
        timeline: this.#dashboard.timeline,
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/znode') {
      const node = this.#dashboard.znode(url.searchParams.get('path') ?? '/');
      sendJson(res, node === null ? 404 : 200, node ?? { ok: false, message: 'no such znode' });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/lag') {
      sendJson(res, 200, this.#dashboard.lagHistory(url.searchParams.get('group') ?? ''));
      return;
    }
    const action = /^\/api\/action\/([a-z-]+)$/.exec(url.pathname)?.[1];
    if (req.method === 'POST' && action !== undefined) {
      if (this.#dashboard.readOnly) {
        sendJson(res, 403, { ok: false, message: 'the dashboard is read-only (--read-only)' });
        return;
      }
      const body = await readBody(req);
      const result = await this.#dashboard.act(action, body);
      sendJson(res, result.ok ? 200 : 400, result);
      return;
    }
    sendJson(res, 404, { ok: false, message: `no ${req.method} ${url.pathname}` });
  }
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > BODY_BYTES_MAX) throw new Error(`request body over ${BODY_BYTES_MAX} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as unknown);
}
