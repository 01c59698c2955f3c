// The one place the tutorial's programs learn where the cluster is: KAFKA_BOOTSTRAP, a
// comma-separated list of host:port, defaulting to broker 1 of `npm start`. kafkajs asks that
// broker for the others (Metadata), so one address is enough.
import process from 'node:process';
import { Kafka, logLevel } from 'kafkajs';

export const bootstrap = (process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092').split(',');

export function kafka(clientId) {
  return new Kafka({
    clientId,
    brokers: bootstrap,
    logLevel: logLevel.ERROR,
    // A broker killed with kill -9 is noticed when its coordinator session expires
    // (zookeeper.session.timeout.ms, 18 s under npm start); only then do its partitions get
    // new leaders. Retry for longer than that instead of giving up.
    retry: { retries: 30, initialRetryTime: 200, maxRetryTime: 3000 },
  });
}

// How a member stays in its group: a heartbeat every second, and a member silent for 10 s is
// dropped from the group (kafkajs's defaults are 3 s and 30 s). A consumer that crashed and
// restarted joins as a new member, and the rebalance that follows waits for the old one to be
// dropped: 10 s instead of 30. The broker accepts 6 s to 30 min (group.min/max.session.timeout.ms).
export const membership = { sessionTimeout: 10_000, heartbeatInterval: 1_000 };

// An idempotent producer: a batch retried after a lost reply is written once
// (docs/exactly-once.md).
export function producer(client) {
  return client.producer({ idempotent: true, maxInFlightRequests: 1 });
}

// Ctrl-C or SIGTERM: leave the group cleanly (its partitions move to the other members at once,
// instead of after session.timeout.ms) and exit.
export function stopOn(...clients) {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      Promise.all(clients.map((c) => c.disconnect())).finally(() => process.exit(0));
    });
  }
}

export const json = (message) => JSON.parse(message.value.toString());
