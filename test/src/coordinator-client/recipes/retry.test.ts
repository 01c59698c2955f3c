/**
 * The recipes' shared helpers: sequence-number parsing and ordering (a `-` separator is not
 * a minus sign), retrying after connection loss, and the protected create that survives a lost
 * reply without leaving an orphan node. The client is a stub the tests move between states.
 */
import { EventEmitter } from 'node:events';
import t from 'tap';
import type { CoordinatorClient } from '../../../../src/coordinator-client/client.js';
import {
  createProtectedSequential,
  retryOnConnectionLoss,
  sequenceOf,
  sortBySequence,
} from '../../../../src/coordinator-client/recipes/retry.js';
import { ErrorCode, KeeperError } from '../../../../src/protocol/coordinator/errors.js';

t.test('sequenceOf reads the last 10 digits, whatever the separator', async (t) => {
  t.equal(sequenceOf('n_3f1c-aa_0000000012'), 12);
  t.equal(
    sequenceOf('0b7e2c3a-1111-2222-3333-444455556666-lock-0000000001'),
    1,
    'the "-" is a separator',
  );
  t.ok(Number.isNaN(sequenceOf('not-sequential')));
});

t.test(
  'sortBySequence orders by number, not by the GUID prefix, and skips foreign names',
  async (t) => {
    t.same(
      sortBySequence(['zz-lock-0000000003', 'aa-lock-0000000010', 'mm-lock-0000000001', 'readme']),
      ['mm-lock-0000000001', 'zz-lock-0000000003', 'aa-lock-0000000010'],
    );
  },
);

/**
 * Just enough of a CoordinatorClient for the helpers: a state, the connection events, and the
 * two calls createProtectedSequential makes. A test moves it between states by hand.
 */
class StubClient extends EventEmitter {
  state: CoordinatorClient['state'] = 'connected';
  readonly children: string[] = [];
  creates = 0;
  /** What the next create does: succeed, or fail (after creating the node, or before). */
  nextCreate: 'ok' | 'lost-after-create' | 'lost-before-create' = 'ok';

  disconnect(): void {
    this.state = 'connecting';
  }
  reconnect(): void {
    this.state = 'connected';
    this.emit('connected');
  }
  expire(): void {
    this.state = 'expired';
    this.emit('expired');
  }
  create(path: string): Promise<string> {
    this.creates += 1;
    const prefix = path.slice(path.lastIndexOf('/') + 1);
    const name = `${prefix}${String(this.creates).padStart(10, '0')}`;
    const outcome = this.nextCreate;
    this.nextCreate = 'ok';
    if (outcome !== 'lost-before-create') this.children.push(name);
    if (outcome === 'ok') return Promise.resolve(`${path.slice(0, path.lastIndexOf('/'))}/${name}`);
    this.disconnect();
    return Promise.reject(new KeeperError(ErrorCode.CONNECTIONLOSS, path));
  }
  getChildren(): Promise<string[]> {
    return Promise.resolve([...this.children]);
  }
  asClient(): CoordinatorClient {
    return this as unknown as CoordinatorClient;
  }
}

const connectionLoss = () => new KeeperError(ErrorCode.CONNECTIONLOSS, '/x');

/** Lets pending promise callbacks run: one turn of the event loop, no clock involved. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

t.test(
  'retryOnConnectionLoss waits for the reconnect, then runs the operation again',
  async (t) => {
    const client = new StubClient();
    let calls = 0;
    const result = retryOnConnectionLoss(client.asClient(), async () => {
      calls += 1;
      if (calls < 3) {
        client.disconnect();
        throw connectionLoss();
      }
      return 'done';
    });
    await settle();
    t.equal(calls, 1, 'no retry while disconnected');
    client.reconnect();
    await settle();
    t.equal(calls, 2, 'retried once connected');
    client.reconnect();
    t.equal(await result, 'done');
    t.equal(calls, 3);
  },
);

t.test('retryOnConnectionLoss passes any other error through at once', async (t) => {
  const client = new StubClient();
  let calls = 0;
  await t.rejects(
    retryOnConnectionLoss(client.asClient(), async () => {
      calls += 1;
      throw new KeeperError(ErrorCode.NODEEXISTS, '/x');
    }),
    { code: ErrorCode.NODEEXISTS },
  );
  t.equal(calls, 1);
});

t.test(
  'retryOnConnectionLoss gives up after attemptsMax with the last CONNECTIONLOSS',
  async (t) => {
    const client = new StubClient();
    let calls = 0;
    await t.rejects(
      retryOnConnectionLoss(
        client.asClient(),
        async () => {
          calls += 1;
          throw connectionLoss();
        },
        3,
      ),
      { code: ErrorCode.CONNECTIONLOSS },
    );
    t.equal(calls, 3);
  },
);

t.test(
  'retryOnConnectionLoss ends with SESSIONEXPIRED if the session expires meanwhile',
  async (t) => {
    const client = new StubClient();
    let calls = 0;
    const result = retryOnConnectionLoss(client.asClient(), async () => {
      calls += 1;
      client.disconnect();
      throw connectionLoss();
    });
    await settle();
    client.expire();
    await t.rejects(result, { code: ErrorCode.SESSIONEXPIRED });
    t.equal(calls, 1, 'never retried on an expired session');
  },
);

t.test(
  'createProtectedSequential finds the node a lost reply created, and makes no second',
  async (t) => {
    const client = new StubClient();
    client.nextCreate = 'lost-after-create';
    const created = createProtectedSequential(client.asClient(), '/lock', 'guid-1-lock-', null);
    await settle();
    client.reconnect();
    t.equal(await created, 'guid-1-lock-0000000001');
    t.equal(client.creates, 1, 'one create: the first one had been applied');
    t.same(client.children, ['guid-1-lock-0000000001'], 'no orphan left behind');
  },
);

t.test(
  'createProtectedSequential creates again when the lost create was not applied',
  async (t) => {
    const client = new StubClient();
    client.children.push('other-guid-lock-0000000000');
    client.nextCreate = 'lost-before-create';
    const created = createProtectedSequential(client.asClient(), '/lock', 'guid-1-lock-', null);
    await settle();
    client.reconnect();
    t.equal(await created, 'guid-1-lock-0000000002', "another contender's node is not ours");
    t.equal(client.creates, 2);
  },
);
