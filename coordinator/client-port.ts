/**
 * The coordinator's client port: one TCP listener that serves both of its client protocols.
 * ZooKeeper's clients expect to find the coordinator on a single port (2181 by tradition),
 * and so do ours, so the port looks at the first bytes of each connection and routes it:
 *
 *   "GET " (an HTTP request, i.e. a WebSocket upgrade)  → the WebSocket transport
 *   anything else (a jute length, or a four-letter word) → the ZooKeeper transport
 *
 * The two cannot be confused: a ZooKeeper connection opens with a 4-byte big-endian packet
 * length, at most jute.maxbuffer = 0x000FFFFF, so its first byte is always 0x00, while "GET "
 * starts with 0x47 ('G'); four-letter words are lower-case letters.
 *
 * How the hand-over works: the sniffer reads until it has 4 bytes (usually the first chunk),
 * stops reading, and either puts the bytes back into the socket (`socket.unshift`) and gives
 * the socket to the HTTP server (which then parses the request from the start), or hands the
 * bytes already read to the ZooKeeper connection. A connection that sends fewer than 4 bytes
 * within the handshake timeout is dropped.
 *
 * The secure client port (ZooKeeper's secureClientPort) is the same listener behind TLS: the
 * sniffing and routing above run on the decrypted stream, so both protocols work over it
 * (ZooKeeper's binary protocol with TLS, and WebSocket as wss). With client auth `need` a
 * client without a certificate signed by the trust store fails the TLS handshake; with `want`
 * it may come without one, but a certificate it shows must be valid.
 */
import { createServer, type Server, type Socket } from 'node:net';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from '../src/logger.js';
import {
  ZK_HANDSHAKE_TIMEOUT_MS,
  serveZooKeeperConnection,
  type ZkConnectionOptions,
  type ZkCore,
} from './zk-server.js';

/** The first bytes of an HTTP GET request, the start of every WebSocket upgrade. */
const HTTP_GET = Buffer.from('GET ', 'latin1');
const SNIFF_BYTES = HTTP_GET.length;

export interface ClientPortOptions {
  /** Loopback by default. */
  host?: string;
  /** 0 picks a free port (see `ClientPort.port`). */
  port: number;
  core: ZkCore;
  /** The WebSocket side: `createWsTransport(...)` from ./ws-server.ts fits. */
  ws: { handleSocket(socket: Duplex): void };
  logger: Logger;
  /** Options for the ZooKeeper transport (limits, notification zxid). */
  zk?: Omit<ZkConnectionOptions, 'core' | 'logger'>;
  /** How long a new connection may take to send its first 4 bytes. */
  sniffTimeoutMs?: number;
  /** Serve TLS (the secure client port): node's TLS server options, key and cert at least. */
  tls?: tls.TlsOptions;
}

export interface ClientPort {
  server: Server;
  host: string;
  port: number;
  /** Stop listening and destroy every open socket. */
  close(): Promise<void>;
}

export async function listenClientPort(options: ClientPortOptions): Promise<ClientPort> {
  const log = options.logger.child({ component: 'client-port' });
  const host = options.host ?? '127.0.0.1';
  const sniffTimeoutMs = options.sniffTimeoutMs ?? ZK_HANDSHAKE_TIMEOUT_MS;
  const sockets = new Set<Socket>();
  const zkOptions: ZkConnectionOptions = {
    ...options.zk,
    core: options.core,
    logger: options.logger,
  };

  const accept = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    sniff(socket);
  };
  let server: Server;
  if (options.tls) {
    const tlsServer = tls.createServer(options.tls, (socket) => {
      // `want`: no certificate is fine, an invalid one is not (rejectUnauthorized is off).
      if (options.tls!.requestCert && !socket.authorized && socket.getPeerCertificate().raw) {
        log.warn(
          { remote: socket.remoteAddress, reason: String(socket.authorizationError) },
          'closing: the client certificate is not trusted',
        );
        socket.destroy();
        return;
      }
      accept(socket);
    });
    tlsServer.on('tlsClientError', (err, socket) => {
      log.warn({ remote: socket.remoteAddress, err: err.message }, 'TLS handshake failed');
    });
    server = tlsServer;
  } else {
    server = createServer(accept);
  }

  function sniff(socket: Socket): void {
    const chunks: Buffer[] = [];
    let length = 0;
    const timer = options.core.scheduler
      .schedule(sniffTimeoutMs, () => {
        log.debug(
          { remote: socket.remoteAddress },
          'closing: no bytes within the handshake timeout',
        );
        socket.destroy();
      })
      .unref();
    const onError = (err: Error): void =>
      log.debug({ err: err.message }, 'socket error before routing');
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      if (length < SNIFF_BYTES) return;
      timer.cancel();
      socket.off('data', onData);
      socket.off('error', onError);
      socket.pause();
      const head = Buffer.concat(chunks);
      try {
        route(socket, head);
      } catch (err) {
        log.error({ err }, 'could not route a connection; closing it');
        socket.destroy();
      }
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', () => timer.cancel());
  }

  function route(socket: Socket, head: Buffer): void {
    if (head.subarray(0, SNIFF_BYTES).equals(HTTP_GET)) {
      log.debug({ remote: socket.remoteAddress }, 'routing to the WebSocket transport');
      // Give the HTTP parser the request from its first byte.
      socket.unshift(head);
      options.ws.handleSocket(socket);
      socket.resume();
      return;
    }
    serveZooKeeperConnection(socket, zkOptions, head);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  log.info(
    { host, port, tls: options.tls !== undefined },
    options.tls
      ? 'secure client port listening (TLS: ZooKeeper binary protocol and WebSocket)'
      : 'client port listening (ZooKeeper binary protocol and WebSocket)',
  );

  return {
    server,
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
