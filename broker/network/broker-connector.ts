/**
 * How this broker opens a connection to another broker (replica fetchers, the controller's
 * channels, the transaction marker sender, the controlled shutdown request): over the
 * inter-broker listener's security protocol, as Kafka's NetworkClient does with
 * inter.broker.listener.name:
 *
 *   PLAINTEXT       TCP
 *   SSL             TLS with the listener's trust store (and key store, for mutual TLS)
 *   SASL_PLAINTEXT  TCP, then the SASL login of sasl-client.ts (SaslHandshake v1 and
 *                   SaslAuthenticate v1 with sasl.mechanism.inter.broker.protocol and the
 *                   broker's own username and password from the listener's JAAS config)
 *   SASL_SSL        both
 *
 * The returned link is ready for requests; the caller attaches its own readers. On SASL
 * listeners it carries the session: when the other broker gave it a lifetime
 * (connections.max.reauth.ms), the caller re-authenticates with it before a request once it
 * is due (`withReauthentication`), on the same connection. A refused login rejects with the
 * broker's error message.
 */
import net from 'node:net';
import tls from 'node:tls';
import { decodeResponse, encodeRequestFrame } from '../../src/protocol/kafka/codec.js';
import { FrameReader } from '../../src/protocol/kafka/frame-reader.js';
import type { Scheduler } from '../../src/scheduler.js';
import { usesTls, type InterBrokerSecurity } from '../security/security-config.js';
import {
  SaslClientSession,
  type SaslApiKey,
  type SaslRequest,
  type SaslSessionHooks,
} from './sasl-client.js';
import { tlsClientOptions } from './tls-server.js';

/** A connection to another broker, ready for requests. */
export interface BrokerLink {
  readonly socket: net.Socket;
  /** The SASL session, on SASL listeners. */
  readonly session: SaslClientSession | undefined;
}

/** Opens a ready-to-use connection to host:port (plain TCP unless configured otherwise). */
export type BrokerConnector = (host: string, port: number) => Promise<BrokerLink>;

/** What a connector reports (Kafka's per-client selector metrics). */
export interface BrokerConnectorHooks extends SaslSessionHooks {
  connectionCreated(): void;
}

/** The connector for `security`, or plain TCP when there is none. */
export function brokerConnector(options: {
  security: InterBrokerSecurity | undefined;
  clientId: string;
  timeoutMs: number;
  scheduler: Scheduler;
  hooks?: BrokerConnectorHooks;
}): BrokerConnector {
  return async (host, port) => {
    const security = options.security;
    const socket = await open(host, port, security, options);
    let session: SaslClientSession | undefined;
    try {
      if (security?.sasl !== undefined) {
        session = await SaslClientSession.open(freshSocketRequest(socket, options.clientId), {
          sasl: security.sasl,
          clock: options.scheduler,
          hooks: options.hooks,
        });
      }
    } catch (err) {
      socket.destroy();
      throw err;
    }
    options.hooks?.connectionCreated();
    return { socket, session };
  };
}

/**
 * Runs `request` on `link`, re-authenticating first when the session is due; `reauthRequest`
 * sends the SASL requests through the caller's own request path. Only for callers with one
 * request in flight at a time (the replica fetcher's and the controller's connections).
 */
export async function withReauthentication<T>(
  link: BrokerLink,
  reauthRequest: SaslRequest,
  request: () => Promise<T>,
): Promise<T> {
  if (link.session?.reauthenticationDue === true) await link.session.reauthenticate(reauthRequest);
  return request();
}

function open(
  host: string,
  port: number,
  security: InterBrokerSecurity | undefined,
  options: { timeoutMs: number; scheduler: Scheduler },
): Promise<net.Socket> {
  const secure = security !== undefined && usesTls(security.securityProtocol);
  const socket =
    secure && security.ssl !== undefined
      ? tls.connect({ host, port, ...tlsClientOptions(security.ssl, host) })
      : net.connect({ host, port });
  socket.setNoDelay(true);
  const ready = secure ? 'secureConnect' : 'connect';
  return new Promise((resolve, reject) => {
    const timer = options.scheduler.schedule(options.timeoutMs, () => {
      socket.destroy();
      reject(new Error(`connect to ${host}:${port} timed out`));
    });
    socket.once(ready, () => {
      timer.cancel();
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: Error) => {
      timer.cancel();
      reject(err);
    });
  });
}

/** SASL requests on a fresh socket, one at a time, before anyone else reads it. */
function freshSocketRequest(socket: net.Socket, clientId: string): SaslRequest {
  let correlationId = 0;
  return (apiKey, apiVersion, body) =>
    exchange(socket, apiKey, apiVersion, body, correlationId++, clientId);
}

function exchange<K extends SaslApiKey>(
  socket: net.Socket,
  apiKey: K,
  apiVersion: number,
  body: Parameters<typeof encodeRequestFrame<K>>[1],
  correlationId: number,
  clientId: string,
) {
  return new Promise<ReturnType<typeof decodeResponse<K>>['body']>((resolve, reject) => {
    const reader = new FrameReader();
    const onData = (chunk: Buffer): void => {
      const result = reader.push(chunk);
      const frame = result.frames[0];
      if (frame === undefined && result.error === undefined) return;
      cleanup();
      if (frame === undefined) return reject(new Error(result.error!.reason));
      resolve(decodeResponse(apiKey, apiVersion, frame).body);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('the broker closed the connection during the SASL login'));
    };
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onClose);
    for (const chunk of encodeRequestFrame({ apiKey, apiVersion, correlationId, clientId }, body)) {
      socket.write(chunk);
    }
  });
}
