import t from 'tap';
import { ManualScheduler, SystemScheduler } from '../../src/scheduler.js';

t.test('manual scheduler fires due timers in order, each at its own due time', (t) => {
  const s = new ManualScheduler(1000);
  const fired: string[] = [];
  s.schedule(30, () => fired.push(`c@${s.nowMs()}`));
  s.schedule(10, () => fired.push(`a@${s.nowMs()}`));
  s.schedule(10, () => fired.push(`b@${s.nowMs()}`));
  s.advance(9);
  t.same(fired, []);
  s.advance(1);
  t.same(fired, ['a@1010', 'b@1010']);
  s.advance(100);
  t.same(fired, ['a@1010', 'b@1010', 'c@1030']);
  t.equal(s.nowMs(), 1110);
  t.equal(s.pendingCount, 0);
  t.end();
});

t.test('cancel stops a pending timer; twice is harmless', (t) => {
  const s = new ManualScheduler();
  let ran = 0;
  const timer = s.schedule(5, () => ran++);
  s.cancel(timer);
  timer.cancel();
  s.advance(10);
  t.equal(ran, 0);
  t.end();
});

t.test('repeat fires at a fixed rate until cancelled', (t) => {
  const s = new ManualScheduler(0);
  const at: number[] = [];
  const timer = s.repeat(100, () => at.push(s.nowMs()));
  s.advance(350);
  t.same(at, [100, 200, 300]);
  timer.cancel();
  s.advance(1000);
  t.same(at, [100, 200, 300]);
  t.end();
});

t.test('timers scheduled by callbacks inside the window fire too', (t) => {
  const s = new ManualScheduler(0);
  const at: number[] = [];
  s.schedule(10, () => {
    at.push(s.nowMs());
    s.schedule(10, () => at.push(s.nowMs()));
  });
  s.advance(25);
  t.same(at, [10, 20]);
  t.end();
});

t.test('runAll fires every one-shot timer and leaves repeating ones', (t) => {
  const s = new ManualScheduler(0);
  let n = 0;
  s.repeat(7, () => n++);
  s.schedule(50, () => (n += 100));
  s.runAll();
  t.equal(s.nowMs(), 50);
  t.equal(n, 107);
  t.equal(s.pendingCount, 1);
  t.end();
});

t.test('bad delays are refused', (t) => {
  const s = new ManualScheduler();
  t.throws(() => s.schedule(-1, () => {}), RangeError);
  t.throws(() => s.repeat(0, () => {}), RangeError);
  t.throws(() => s.advance(-5), RangeError);
  t.end();
});

t.test('system scheduler runs a timer and cancels another', async (t) => {
  const s = new SystemScheduler();
  const cancelled = s.schedule(1, () => t.fail('cancelled timer ran'));
  cancelled.cancel();
  await new Promise<void>((resolve) => s.schedule(2, resolve));
  t.pass('the scheduled timer ran');
});

t.test('untilPending resolves once enough timers wait, at once if they already do', async (t) => {
  const s = new ManualScheduler();
  const order: string[] = [];
  const two = s.untilPending(2).then(() => order.push('two'));
  const one = s.untilPending(1).then(() => order.push('one'));
  s.schedule(10, () => {});
  await one;
  t.same(order, ['one'], 'one timer: only the first waiter is woken');
  s.repeat(10, () => {});
  await two;
  t.same(order, ['one', 'two']);
  await s.untilPending(2);
  t.pass('already pending: resolves at once');
});

t.test('unref returns the timer and keeps it working on both schedulers', async (t) => {
  const manual = new ManualScheduler();
  let ran = 0;
  const timer = manual.schedule(5, () => ran++);
  t.equal(timer.unref(), timer);
  manual.advance(5);
  t.equal(ran, 1);
  const system = new SystemScheduler();
  const unrefed = system.repeat(1, () => {}).unref();
  unrefed.cancel();
  // An unref-ed timer alone would let the process exit; a ref-ed one keeps it up meanwhile.
  const keepAlive = system.schedule(60_000, () => {});
  await new Promise<void>((resolve) => system.schedule(1, resolve).unref());
  keepAlive.cancel();
  t.pass('an unref-ed timer still fires while something else keeps the process alive');
});
