import t from 'tap';
import { silentLogger } from '../../../src/logger.js';
import { LatestProducerIdBlockZNode, type ProducerIdBlock } from '../../../src/znodes.js';
import {
  PRODUCER_ID_BLOCK_SIZE,
  ProducerIdManager,
  nextProducerIdBlock,
  type ProducerIdBlockStore,
} from '../../../broker/transaction/producer-id-manager.js';

/** The znode in memory: data plus a version that every write bumps. */
class MemoryStore implements ProducerIdBlockStore {
  data: Buffer | null = null;
  version = 0;
  writes = 0;
  /** Lets another "broker" write between our read and our write, once. */
  interfere: (() => void) | undefined;
  async read() {
    const result = { block: LatestProducerIdBlockZNode.decode(this.data), version: this.version };
    this.interfere?.();
    this.interfere = undefined;
    return result;
  }
  async writeIfVersion(block: ProducerIdBlock, version: number) {
    if (version !== this.version) return false;
    this.data = LatestProducerIdBlockZNode.encode(block);
    this.version++;
    this.writes++;
    return true;
  }
}

const logger = silentLogger();

t.test('blocks of 1000, the first from 0, each after the latest', async (t) => {
  t.same(nextProducerIdBlock(undefined, 3), { brokerId: 3, blockStart: 0, blockEnd: 999 });
  t.same(nextProducerIdBlock({ brokerId: 3, blockStart: 0, blockEnd: 999 }, 1), {
    brokerId: 1,
    blockStart: 1000,
    blockEnd: 1999,
  });
  t.equal(PRODUCER_ID_BLOCK_SIZE, 1000);
});

t.test('the znode holds Kafka’s JSON', async (t) => {
  const bytes = LatestProducerIdBlockZNode.encode({ brokerId: 2, blockStart: 0, blockEnd: 999 });
  t.same(JSON.parse(bytes.toString()), {
    version: 1,
    broker: 2,
    block_start: '0',
    block_end: '999',
  });
  t.equal(LatestProducerIdBlockZNode.decode(Buffer.alloc(0)), undefined, 'empty: no block yet');
  t.throws(() => LatestProducerIdBlockZNode.decode(Buffer.from('{"broker":1,"block_start":1}')));
});

t.test('two brokers share one znode and never hand out the same id', async (t) => {
  const store = new MemoryStore();
  const a = new ProducerIdManager({ brokerId: 0, store, logger });
  const b = new ProducerIdManager({ brokerId: 1, store, logger });
  const ids: number[] = [];
  // Concurrent requests on one broker share a single block fetch.
  ids.push(...(await Promise.all([a.generateProducerId(), a.generateProducerId()])));
  t.same(ids, [0, 1]);
  t.equal(store.writes, 1);
  ids.push(await b.generateProducerId());
  t.equal(ids[2], 1000, 'the second broker takes the next block');
  for (let i = 0; i < PRODUCER_ID_BLOCK_SIZE; i++) ids.push(await a.generateProducerId());
  t.same(a.currentBlock, { brokerId: 0, blockStart: 2000, blockEnd: 2999 });
  t.equal(new Set(ids).size, ids.length, 'all distinct');
});

t.test('a lost conditional write is retried with the block after the winner’s', async (t) => {
  const store = new MemoryStore();
  const winner = new ProducerIdManager({ brokerId: 1, store, logger });
  const loser = new ProducerIdManager({ brokerId: 0, store, logger });
  store.interfere = () => {
    store.data = LatestProducerIdBlockZNode.encode({ brokerId: 1, blockStart: 0, blockEnd: 999 });
    store.version++;
  };
  t.equal(await loser.generateProducerId(), 1000);
  t.same(LatestProducerIdBlockZNode.decode(store.data), {
    brokerId: 0,
    blockStart: 1000,
    blockEnd: 1999,
  });
  t.equal(await winner.generateProducerId(), 2000);
});

t.test('an unreachable coordinator rejects the request', async (t) => {
  const store: ProducerIdBlockStore = {
    read: () => Promise.reject(new Error('connection loss')),
    writeIfVersion: () => Promise.resolve(false),
  };
  const manager = new ProducerIdManager({ brokerId: 0, store, logger });
  await t.rejects(manager.generateProducerId(), /connection loss/);
});
