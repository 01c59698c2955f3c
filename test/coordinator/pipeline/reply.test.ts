/**
 * The reply stage (coordinator/pipeline/reply.ts) on its own: the queue releases items only
 * up to the durable zxid, in the order they were queued, and counts latency on the manual
 * clock; RequestOrder says which request of a connection may run.
 */
import t from 'tap';
import type {
  ConnectionStats,
  Outbound,
  ServerConnection,
} from '../../../coordinator/connection.js';
import { ReplyQueue, RequestOrder, type ReplyTarget } from '../../../coordinator/pipeline/reply.js';
import { ServerMetrics } from '../../../coordinator/server-metrics.js';
import { silentLogger } from '../../../src/logger.js';
import { ErrorCode } from '../../../src/protocol/coordinator/errors.js';
import type { Request } from '../../../src/protocol/coordinator/messages.js';
import { ManualScheduler } from '../../../src/scheduler.js';

function stats(): ConnectionStats {
  return {
    connectedAtMs: 0,
    packetsReceived: 0,
    packetsSent: 0,
    lastOp: 'NA',
    lastCxid: -1,
    lastZxid: -1,
    lastResponseAtMs: 0,
    lastLatencyMs: 0,
    minLatencyMs: Infinity,
    maxLatencyMs: 0,
    totalLatencyMs: 0,
    replies: 0,
  };
}

function target(id: number, log: string[]): ReplyTarget {
  const conn: ServerConnection = {
    id,
    protocol: 'ws',
    remoteAddress: '127.0.0.1:1',
    send: (item: Outbound) => {
      log.push(`${id}:${item.kind}${item.kind === 'reply' ? item.xid : ''}`);
      return 10;
    },
    close: (reason: string) => log.push(`${id}:close ${reason}`),
  };
  return { conn, stats: stats(), closed: false };
}

function reply(
  xid: number,
  zxid: number,
  request: Request = { op: 'exists', path: '/', watch: false },
) {
  return { kind: 'reply' as const, xid, zxid, err: ErrorCode.OK, request, result: {} };
}

function queue(clock: ManualScheduler, metrics = new ServerMetrics()) {
  return new ReplyQueue<ReplyTarget>({
    clock,
    metrics,
    logger: silentLogger(),
    close: (state, reason) => {
      state.closed = true;
      state.conn.close(reason);
    },
    durableZxid: 3,
  });
}

t.test('items wait for their zxid to be durable, then leave in queue order', async (t) => {
  const log: string[] = [];
  const clock = new ManualScheduler();
  const replies = queue(clock);
  const a = target(1, log);
  const b = target(2, log);
  replies.enqueue({ state: a, zxid: 3, item: reply(1, 3) });
  t.same(log, ['1:reply1'], 'durable already and nothing ahead of it: sent at once');
  replies.enqueue({ state: a, zxid: 4, item: reply(2, 4) });
  replies.enqueue({
    state: b,
    zxid: 4,
    item: { kind: 'event', event: { type: 'NodeCreated', path: '/x', zxid: 4 } },
  });
  // A read of durable state queued behind a pending write still waits its turn.
  replies.enqueue({ state: b, zxid: 3, item: reply(7, 3) });
  replies.enqueue({ state: a, zxid: 5, closeReason: 'bye' });
  t.equal(replies.outstanding, 4);
  replies.release(4);
  t.same(log, ['1:reply1', '1:reply2', '2:event', '2:reply7']);
  t.equal(replies.outstanding, 1);
  replies.release(5);
  t.same(log.at(-1), '1:close bye');
  t.equal(replies.outstanding, 0);
  t.equal(replies.durableZxid, 5);
});

t.test('nothing is sent to a connection that is gone', async (t) => {
  const log: string[] = [];
  const replies = queue(new ManualScheduler());
  const a = target(1, log);
  replies.enqueue({ state: a, zxid: 4, item: reply(1, 4) });
  a.closed = true;
  replies.release(4);
  t.same(log, []);
  t.equal(replies.packetsSent, 0);
});

t.test('latency is counted from arrival to delivery, per connection and per kind', async (t) => {
  const clock = new ManualScheduler();
  const metrics = new ServerMetrics();
  const replies = queue(clock, metrics);
  const a = target(1, []);
  const arrived = clock.nowMs();
  replies.enqueue({
    state: a,
    zxid: 4,
    receivedAtMs: arrived,
    item: reply(1, 4, { op: 'delete', path: '/x', version: -1 }),
  });
  clock.advance(30);
  replies.release(4);
  replies.enqueue({ state: a, zxid: 4, receivedAtMs: clock.nowMs() - 10, item: reply(2, 4) });
  t.equal(a.stats.replies, 2);
  t.equal(a.stats.maxLatencyMs, 30);
  t.equal(a.stats.minLatencyMs, 10);
  t.equal(a.stats.lastZxid, 4);
  t.equal(replies.latencyAvgMs, 20);
  t.equal(metrics.updateLatency.count, 1, 'delete is an update');
  t.equal(metrics.readLatency.count, 1, 'exists is a read');
  replies.resetStats();
  t.equal(replies.latencyMaxMs, 0);
  t.equal(replies.latencyMinMs, 0);
});

t.test(
  'request order: writes pipeline, reads wait for them, everything waits on a barrier',
  async (t) => {
    const order = new RequestOrder();
    const read: Request = { op: 'getData', path: '/a', watch: false };
    const write: Request = { op: 'delete', path: '/a', version: -1 };
    t.ok(order.mayRunNow(read));
    order.inFlight = 2;
    t.ok(order.mayRunNow(write), 'a write may follow writes in flight');
    t.notOk(order.mayRunNow(read), 'a read waits for the writes before it');
    order.waiting.push({ xid: 1, request: read, receivedAtMs: 0 });
    t.notOk(order.mayRunNow(write), 'nothing overtakes a waiting request');
    t.notOk(order.mayRunNext());
    order.inFlight = 0;
    t.ok(order.mayRunNext());
    order.barrier = true;
    t.notOk(order.mayRunNext(), 'a handshake or sync in flight holds everything');
    t.notOk(order.mayRunNow(write));
  },
);
