/**
 * How this broker opens a connection to another broker (replica fetchers, the controller's
 * channels, the controlled shutdown request): over the inter-broker listener's security
 * protocol, as Kafka's NetworkClient does with inter.broker.listener.name:
 *
 *   PLAINTEXT       TCP
 *   SSL             TLS with the listener's trust store (and key store, for mutual TLS)
 *   SASL_PLAINTEXT  TCP, then SaslHandshake v1 and SaslAuthenticate v1 with
 *                   sasl.mechanism.inter.broker.protocol and the broker's own username and
 *                   password from the listener's JAAS config (PLAIN or SCRAM)
 *   SASL_SSL        both
 *
 * The returned socket is ready for requests; the caller attaches its own readers. A refused
 * login rejects with the broker's error message.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import { decodeResponse, encodeRequestFrame } from '../../src/protocol/kafka/codec.js';
import { ErrorCode, errorForCode } from '../../src/protocol/kafka/errors.js';
import { FrameReader } from '../../src/protocol/kafka/frame-reader.js';
import { saltedPassword } from '../../src/security/scram-credential.js';
import type { Scheduler } from '../../src/scheduler.js';
import { ScramClient } from '../security/scram-server.js';
import { usesTls, type InterBrokerSecurity } from '../security/security-config.js';
import { tlsClientOptions } from './tls-server.js';

/** Opens a ready-to-use connection to host:port (plain TCP unless configured otherwise). */
export type BrokerConnector = (host: string, port: number) => Promise<net.Socket>;

/** The connector for `security`, or plain TCP when there is none. */
export function brokerConnector(options: {
  security: InterBrokerSecurity | undefined;
  clientId: string;
  timeoutMs: number;
  scheduler: Scheduler;
}): BrokerConnector {
  return async (host, port) => {
    const security = options.security;
    const socket = await open(host, port, security, options);
    try {
      if (security?.sasl !== undefined) await saslLogin(socket, security.sasl, options.clientId);
    } catch (err) {
      socket.destroy();
      throw err;
    }
    return socket;
  };
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

/** One request/response on a fresh socket, before anyone else reads it. */
function exchange<K extends typeof ApiKey.SaslHandshake | typeof ApiKey.SaslAuthenticate>(
  socket: net.Socket,
  apiKey: K,
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
      resolve(decodeResponse(apiKey, 1, frame).body);
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
    for (const chunk of encodeRequestFrame(
      { apiKey, apiVersion: 1, correlationId, clientId },
      body,
    )) {
      socket.write(chunk);
    }
  });
}

async function saslLogin(
  socket: net.Socket,
  sasl: NonNullable<InterBrokerSecurity['sasl']>,
  clientId: string,
): Promise<void> {
  let correlationId = 0;
  const handshake = await exchange(
    socket,
    ApiKey.SaslHandshake,
    { mechanism: sasl.mechanism },
    correlationId++,
    clientId,
  );
  if (handshake.errorCode !== ErrorCode.NONE) {
    throw new Error(`SaslHandshake ${sasl.mechanism}: ${errorForCode(handshake.errorCode).name}`);
  }
  const authenticate = async (token: Buffer): Promise<Buffer> => {
    const answer = await exchange(
      socket,
      ApiKey.SaslAuthenticate,
      { authBytes: token },
      correlationId++,
      clientId,
    );
    if (answer.errorCode !== ErrorCode.NONE) {
      throw new Error(
        `inter-broker SASL login as ${sasl.username} refused: ` +
          `${errorForCode(answer.errorCode).name} ${answer.errorMessage ?? ''}`,
      );
    }
    return answer.authBytes;
  };
  if (sasl.mechanism === 'PLAIN') {
    await authenticate(Buffer.from(`\u0000${sasl.username}\u0000${sasl.password}`, 'utf8'));
    return;
  }
  const mechanism = sasl.mechanism;
  const client = new ScramClient({
    mechanism,
    user: sasl.username,
    clientNonce: randomBytes(18).toString('base64url'),
  });
  const serverFirst = await authenticate(Buffer.from(client.firstMessage()));
  const final = client.finalMessage(serverFirst.toString('utf8'), (salt, iterations) =>
    saltedPassword(mechanism, sasl.password, salt, iterations),
  );
  client.verifyServerFinal((await authenticate(Buffer.from(final))).toString('utf8'));
}
