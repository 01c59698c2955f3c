import t from 'tap';
import { brokerChanges } from '../../../broker/controller/broker-change-handler.js';
import type { LiveBroker } from '../../../broker/controller/controller-context.js';

const broker = (id: number, epoch: number): LiveBroker => ({
  info: { id, endpoints: [], rack: null, jmxPort: -1, timestampMs: 0 },
  epoch,
});
const known = (...brokers: LiveBroker[]): Map<number, LiveBroker> =>
  new Map(brokers.map((b) => [b.info.id, b]));

t.test('a registration that vanished is a dead broker', async (t) => {
  t.same(brokerChanges(known(broker(1, 10), broker(2, 20)), [broker(1, 10)]), {
    dead: [2],
    bounced: [],
    added: [],
  });
});

t.test('a registration with a new broker epoch is a bounce, not a new broker', async (t) => {
  t.same(brokerChanges(known(broker(1, 10), broker(2, 20)), [broker(1, 10), broker(2, 35)]), {
    dead: [],
    bounced: [2],
    added: [],
  });
});

t.test('an unknown registration is an added broker, in the order read', async (t) => {
  t.same(brokerChanges(known(broker(1, 10)), [broker(3, 40), broker(1, 10), broker(2, 41)]), {
    dead: [],
    bounced: [],
    added: [3, 2],
  });
});

t.test('nothing changed: all three lists are empty', async (t) => {
  t.same(brokerChanges(known(broker(1, 10)), [broker(1, 10)]), {
    dead: [],
    bounced: [],
    added: [],
  });
  t.same(brokerChanges(known(), []), { dead: [], bounced: [], added: [] });
});

t.test('deaths, bounces and additions at once', async (t) => {
  t.same(
    brokerChanges(known(broker(1, 10), broker(2, 20), broker(3, 30)), [
      broker(2, 21),
      broker(4, 50),
    ]),
    { dead: [1, 3], bounced: [2], added: [4] },
  );
});
