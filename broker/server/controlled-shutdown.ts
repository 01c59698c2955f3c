/**
 * Controlled shutdown, the stopping broker's side (Kafka's `KafkaServer.controlledShutdown`).
 * Before a broker stops (SIGTERM, Ctrl-C on `npm start`) it asks the controller to move the
 * leadership of every partition it leads to another in-sync replica and to take it out of the
 * ISRs. Producers then see one NOT_LEADER_OR_FOLLOWER, refresh their metadata and carry on
 * with the new leader, instead of waiting for the broker's session to time out.
 *
 * Protocol: one ControlledShutdown request (v3: broker id and broker epoch) to the current
 * controller, found through `/controller` and `/brokers/ids/<id>`, on the inter-broker
 * listener. The answer lists the partitions the broker still leads. The attempt succeeded when
 * the error is NONE and the list is empty; otherwise (error, no controller, connection
 * failure, partitions left) the broker waits controlled.shutdown.retry.backoff.ms and tries
 * again, at most controlled.shutdown.max.retries times, then stops anyway (an "unclean"
 * shutdown: the controller will notice when the registration vanishes).
 *
 * The controller may be this very broker: the request then goes over the loopback to our own
 * socket server, which is why main.ts runs this before closing the socket server.
 *
 * The controller's side of the API is `handleControlledShutdown` below: it hands the request
 * to the controller's event queue (KafkaController.controlledShutdown) and answers with what
 * the broker still leads; a broker that is not the controller answers NOT_CONTROLLER.
 */
import net from 'node:net';
import type { BrokerConnector } from '../network/broker-connector.js';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import { decodeResponse, encodeRequestFrame } from '../../src/protocol/kafka/codec.js';
import { ErrorCode, errorForCode } from '../../src/protocol/kafka/errors.js';
import { FrameReader } from '../../src/protocol/kafka/frame-reader.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import type {
  ControlledShutdownRequest,
  ControlledShutdownResponse,
} from '../../src/protocol/kafka/generated/index.js';
import type { Scheduler } from '../../src/scheduler.js';
import { BrokerIdZNode } from '../../src/znodes.js';
import { getControllerId } from '../../src/kafka-zk/kafka-zk-client.js';

/** The version sent: the flexible one Kafka 2.8 sends (broker epoch since v2). */
export const CONTROLLED_SHUTDOWN_VERSION = 3;

export interface ControlledShutdownOptions {
  brokerId: number;
  /** This broker's epoch (czxid of its registration), -1 if unknown. */
  brokerEpoch: () => bigint | undefined;
  zk: () => CoordinatorClient;
  /** inter.broker.listener.name: the controller's endpoint to use. */
  interBrokerListenerName: string;
  /** controlled.shutdown.max.retries (3). */
  maxRetries: number;
  /** controlled.shutdown.retry.backoff.ms (5000). */
  retryBackoffMs: number;
  /** request.timeout.ms: give up one attempt after this long. */
  requestTimeoutMs: number;
  scheduler: Scheduler;
  logger: Logger;
  /** Opens the connection over the inter-broker listener's security; TCP if unset. */
  connect?: BrokerConnector;
}

/** What the handler needs of the controller (KafkaController in production). */
export interface ControlledShutdownController {
  controlledShutdown(
    brokerId: number,
    brokerEpoch: bigint,
  ): Promise<{ errorCode: number; remainingPartitions: { topic: string; partition: number }[] }>;
}

/** The ControlledShutdown (7) handler: every version has the same meaning. */
export async function handleControlledShutdown(
  controller: ControlledShutdownController,
  request: ControlledShutdownRequest,
): Promise<Encodable<ControlledShutdownResponse>> {
  const result = await controller.controlledShutdown(request.brokerId, request.brokerEpoch);
  return {
    errorCode: result.errorCode,
    remainingPartitions: result.remainingPartitions.map((tp) => ({
      topicName: tp.topic,
      partitionIndex: tp.partition,
    })),
  };
}

/** Returns true when the controller moved everything away; false after the last retry. */
export async function controlledShutdown(options: ControlledShutdownOptions): Promise<boolean> {
  const log = options.logger.child({
    component: 'controlled-shutdown',
    brokerId: options.brokerId,
  });
  log.info('starting controlled shutdown');
  for (let attempt = 1; attempt <= options.maxRetries; attempt++) {
    try {
      const response = await sendToController(options);
      const remaining = response.remainingPartitions.map(
        (p) => `${p.topicName}-${p.partitionIndex}`,
      );
      if (response.errorCode === ErrorCode.NONE && remaining.length === 0) {
        log.info({ attempt }, 'controlled shutdown succeeded');
        return true;
      }
      log.warn(
        { attempt, error: errorForCode(response.errorCode).name, remaining },
        'controlled shutdown not complete yet',
      );
    } catch (err) {
      log.warn({ attempt, err: (err as Error).message }, 'controlled shutdown attempt failed');
    }
    if (attempt < options.maxRetries) await sleep(options.scheduler, options.retryBackoffMs);
  }
  log.warn('proceeding to an unclean shutdown: every controlled shutdown attempt failed');
  return false;
}

async function sendToController(
  options: ControlledShutdownOptions,
): Promise<ControlledShutdownResponse> {
  const zk = options.zk();
  const controllerId = await getControllerId(zk);
  if (controllerId < 0) throw new Error('no controller at the moment');
  const { data } = await zk.getData(BrokerIdZNode.path(controllerId));
  const info = BrokerIdZNode.decode(controllerId, data);
  const endpoint =
    info.endpoints.find((e) => e.listenerName === options.interBrokerListenerName) ??
    info.endpoints[0];
  if (!endpoint) throw new Error(`controller ${controllerId} registered no endpoint`);
  const frame = encodeRequestFrame(
    {
      apiKey: ApiKey.ControlledShutdown,
      apiVersion: CONTROLLED_SHUTDOWN_VERSION,
      correlationId: 1,
      clientId: `broker-${options.brokerId}-controlled-shutdown`,
    },
    { brokerId: options.brokerId, brokerEpoch: options.brokerEpoch() ?? -1n },
  );
  const answer = await roundTrip(endpoint.host, endpoint.port, frame, options);
  return decodeResponse(ApiKey.ControlledShutdown, CONTROLLED_SHUTDOWN_VERSION, answer).body;
}

/** One request on a fresh connection; resolves with the response frame (without its size). */
function roundTrip(
  host: string,
  port: number,
  frame: Buffer[],
  options: ControlledShutdownOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const connected = options.connect?.(host, port);
    const socket = connected === undefined ? net.connect({ host, port }) : new net.Socket();
    const reader = new FrameReader();
    const timer = options.scheduler.schedule(options.requestTimeoutMs, () =>
      done(new Error(`no answer from ${host}:${port} within ${options.requestTimeoutMs} ms`)),
    );
    let settled = false;
    let secure: net.Socket | undefined;
    const done = (err: Error | null, response?: Buffer): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      socket.destroy();
      secure?.destroy();
      if (err) reject(err);
      else resolve(response as Buffer);
    };
    const use = (s: net.Socket): void => {
      s.on('data', (chunk: Buffer) => {
        const result = reader.push(chunk);
        if (result.frames[0]) done(null, result.frames[0]);
        else if (result.error) done(new Error(result.error.reason));
      });
      s.on('error', (err) => done(err));
      s.on('close', () => done(new Error('connection closed before the answer')));
    };
    if (connected === undefined) {
      socket.once('connect', () => {
        for (const chunk of frame) socket.write(chunk);
      });
      use(socket);
      return;
    }
    // A secured connection (TLS, SASL) arrives ready; `socket` above is never used then.
    connected.then(
      ({ socket: secured }) => {
        // One request on a fresh session: it never needs re-authenticating.
        if (settled) return secured.destroy();
        secure = secured;
        use(secured);
        for (const chunk of frame) secured.write(chunk);
      },
      (err: Error) => done(err),
    );
  });
}

function sleep(scheduler: Scheduler, ms: number): Promise<void> {
  return new Promise((resolve) => scheduler.schedule(ms, resolve));
}
