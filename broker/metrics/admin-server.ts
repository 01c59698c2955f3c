/**
 * The broker's admin HTTP endpoint (`admin.port`, `--admin-port`; off unless given; `npm
 * start` uses 8091 + id - 1). Kafka itself exposes JMX and leaves HTTP to the Prometheus JMX
 * exporter agent; here the broker serves it directly:
 *
 *   GET /metrics   Prometheus text format (broker-metrics.ts)
 *   GET /healthz   liveness: 200 as long as the process answers
 *   GET /readyz    readiness: 200 once the broker is registered in the coordinator and has
 *                  metadata from the controller (an UpdateMetadata naming this broker), else
 *                  503; the JSON body says which condition is missing
 *
 * The server shares nothing with the Kafka listener: a slow scrape cannot delay a request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../src/logger.js';
import type { BrokerMetrics } from './broker-metrics.js';

export interface Readiness {
  registered: boolean;
  metadataLoaded: boolean;
}

export interface BrokerAdminServerOptions {
  host: string;
  port: number;
  metrics: BrokerMetrics;
  readiness: () => Readiness;
  logger: Logger;
}

export class BrokerAdminServer {
  readonly #options: BrokerAdminServerOptions;
  readonly #server: Server;
  readonly #log: Logger;

  constructor(options: BrokerAdminServerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'admin-server' });
    this.#server = createServer((req, res) => {
      const send = (status: number, type: string, body: string): void => {
        res.writeHead(status, { 'content-type': type });
        res.end(body);
      };
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method !== 'GET') return send(405, 'text/plain', 'GET only\n');
      switch (path) {
        case '/metrics':
          options.metrics.metrics().then(
            (text) => send(200, options.metrics.registry.contentType, text),
            (err: unknown) => {
              this.#log.error({ err }, 'metrics failed');
              send(500, 'text/plain', 'metrics failed\n');
            },
          );
          return;
        case '/healthz':
          return send(200, 'text/plain', 'ok\n');
        case '/readyz': {
          const r = options.readiness();
          const ready = r.registered && r.metadataLoaded;
          return send(
            ready ? 200 : 503,
            'application/json',
            JSON.stringify({ ready, ...r }) + '\n',
          );
        }
        default:
          return send(404, 'text/plain', 'try /metrics, /healthz or /readyz\n');
      }
    });
  }

  /** Resolves with the bound port; rejects with the listen error (EADDRINUSE...). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        const port = (this.#server.address() as AddressInfo).port;
        this.#log.info({ host: this.#options.host, port }, 'admin endpoint listening');
        resolve(port);
      });
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
