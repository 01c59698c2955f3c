/**
 * The purgatory on its own (broker/server/delayed-operation.ts), on a ManualScheduler: an
 * operation completes at once when it can, is watched and completed by `checkAndComplete`
 * otherwise, expires when its delay runs out, and its `onComplete` runs exactly once whichever
 * path gets there first.
 */
import t from 'tap';
import {
  DelayedOperation,
  DelayedOperationPurgatory,
} from '../../../broker/server/delayed-operation.js';
import { ManualScheduler } from '../../../src/scheduler.js';

/** An operation that can complete once `ready` is set; it records what happened to it. */
class Probe extends DelayedOperation {
  ready = false;
  tries = 0;
  readonly events: string[] = [];

  tryComplete(): boolean {
    this.tries++;
    return this.ready && this.forceComplete();
  }
  protected onComplete(): void {
    this.events.push('complete');
  }
  protected override onExpiration(): void {
    this.events.push('expired');
  }
}

function setup(): { scheduler: ManualScheduler; purgatory: DelayedOperationPurgatory<Probe> } {
  const scheduler = new ManualScheduler();
  return { scheduler, purgatory: new DelayedOperationPurgatory<Probe>('Test', scheduler) };
}

t.test('an operation that can complete at once is neither watched nor timed', async (t) => {
  const { scheduler, purgatory } = setup();
  const op = new Probe(1000);
  op.ready = true;
  t.equal(purgatory.tryCompleteElseWatch(op, ['a 0']), true);
  t.same(op.events, ['complete']);
  t.equal(purgatory.watched, 0);
  t.equal(scheduler.pendingCount, 0, 'no timer was set');
  t.equal(purgatory.checkAndComplete('a 0'), 0, 'nothing watches the key');
});

t.test('a watched operation completes on checkAndComplete of any of its keys', async (t) => {
  const { scheduler, purgatory } = setup();
  const op = new Probe(1000);
  t.equal(purgatory.tryCompleteElseWatch(op, ['a 0', 'b 1']), false);
  t.equal(purgatory.watched, 1);
  t.equal(scheduler.pendingCount, 1, 'its timeout is pending');
  t.equal(purgatory.checkAndComplete('b 1'), 0, 'not ready: stays watched');
  t.equal(op.tries, 2);
  t.same(op.events, []);

  op.ready = true;
  t.equal(purgatory.checkAndComplete('c 2'), 0, 'a key it does not watch does not try it');
  t.equal(op.tries, 2);
  t.equal(purgatory.checkAndComplete('b 1'), 1);
  t.same(op.events, ['complete']);
  t.equal(purgatory.watched, 0, 'released from every key');
  t.equal(scheduler.pendingCount, 0, 'its timer was cancelled');
  t.equal(purgatory.checkAndComplete('a 0'), 0, 'gone from the other key too');
  scheduler.advance(5000);
  t.same(op.events, ['complete'], 'no expiry after completion');
});

t.test('an operation nobody completes expires after exactly its delay', async (t) => {
  const { scheduler, purgatory } = setup();
  const op = new Probe(300);
  const other = new Probe(500);
  purgatory.tryCompleteElseWatch(op, ['a 0']);
  purgatory.tryCompleteElseWatch(other, ['a 0']);
  scheduler.advance(299);
  t.same(op.events, [], 'not one millisecond early');
  scheduler.advance(1);
  t.same(op.events, ['complete', 'expired'], 'onComplete, then onExpiration');
  t.ok(op.isCompleted);
  t.equal(purgatory.watched, 1, 'the other operation still waits');
  t.same(other.events, []);
  op.ready = true;
  other.ready = true;
  t.equal(purgatory.checkAndComplete('a 0'), 1, 'only the live operation completes');
  t.same(op.events, ['complete', 'expired'], 'the expired one is not completed again');
  t.same(other.events, ['complete']);
});

t.test('onComplete runs exactly once when completion and expiry fall due together', async (t) => {
  const { scheduler, purgatory } = setup();
  const completeAt100 = (op: Probe, key: string): void =>
    void scheduler.schedule(100, () => {
      op.ready = true;
      purgatory.checkAndComplete(key);
    });

  // The completing callback was scheduled first, so it runs first at t=100: the operation
  // completes and its own timer, due at the same moment, is cancelled.
  const early = new Probe(100);
  completeAt100(early, 'a 0');
  purgatory.tryCompleteElseWatch(early, ['a 0']);
  // Here the operation's timer was scheduled first: it expires, and the completion after it
  // finds nothing left to complete.
  const late = new Probe(100);
  purgatory.tryCompleteElseWatch(late, ['b 0']);
  completeAt100(late, 'b 0');

  scheduler.advance(100);
  t.same(early.events, ['complete'], 'completed by the check, never expired');
  t.same(late.events, ['complete', 'expired'], 'expired, never completed twice');
  t.equal(late.forceComplete(), false, 'forceComplete on a completed operation does nothing');
  t.same(late.events, ['complete', 'expired']);
  t.equal(scheduler.pendingCount, 0);
  t.equal(purgatory.watched, 0);
});

t.test('shutdown completes everything still waiting, each once', async (t) => {
  const { scheduler, purgatory } = setup();
  const a = new Probe(1000);
  const b = new Probe(1000);
  purgatory.tryCompleteElseWatch(a, ['x 0', 'y 0']);
  purgatory.tryCompleteElseWatch(b, ['y 0']);
  purgatory.shutdown();
  t.same(a.events, ['complete'], 'watched under two keys, completed once');
  t.same(b.events, ['complete']);
  t.equal(purgatory.watched, 0);
  t.equal(scheduler.pendingCount, 0, 'no timer survives shutdown');
  scheduler.advance(2000);
  t.same(a.events, ['complete'], 'and nothing expires later');
});
