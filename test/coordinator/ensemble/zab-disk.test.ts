/**
 * The durable Zab log and epochs (coordinator/ensemble/zab-disk.ts): what was appended,
 * truncated and replaced comes back after a reopen, and a torn last record is cut off.
 */
import t from 'tap';
import { appendFileSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../src/logger.js';
import { ZabDisk } from '../../../coordinator/ensemble/zab-disk.js';
import { makeZxid, type LogEntry } from '../../../coordinator/ensemble/zab.js';

type Txn = { value: string; bytes: Buffer };
const entry = (epoch: number, counter: number): LogEntry<Txn> => ({
  zxid: makeZxid(epoch, counter),
  txn: { value: `${epoch}.${counter}`, bytes: Buffer.from([epoch, counter]) },
});

t.test('append, truncate, replace and epochs survive a reopen', async (t) => {
  const dir = t.testdir();
  const first = await ZabDisk.open<Txn>(dir, silentLogger());
  t.same(first.recovered.state, { acceptedEpoch: 0, currentEpoch: 0, log: [] }, 'empty at first');
  await first.disk.persistEpochs(2, 1);
  await first.disk.append([entry(1, 1), entry(1, 2)]);
  await first.disk.append([entry(1, 3)]);
  await first.disk.truncate(makeZxid(1, 2));
  await first.disk.append([entry(2, 1)]);
  await first.disk.close();

  const second = await ZabDisk.open<Txn>(dir, silentLogger());
  t.equal(second.recovered.state.acceptedEpoch, 2);
  t.equal(second.recovered.state.currentEpoch, 1);
  t.same(second.recovered.state.log, [entry(1, 1), entry(1, 2), entry(2, 1)]);
  t.ok(Buffer.isBuffer(second.recovered.state.log[0]!.txn.bytes), 'Buffers come back as Buffers');
  await second.disk.replace([entry(3, 1)]);
  await second.disk.append([entry(3, 2)]);
  await second.disk.close();

  const third = await ZabDisk.open<Txn>(dir, silentLogger());
  t.same(third.recovered.state.log, [entry(3, 1), entry(3, 2)], 'SNAP replaced the log');
  t.equal(third.recovered.tornBytes, 0);
  await third.disk.close();
});

t.test('a torn last record is cut off and appends go on after the last good one', async (t) => {
  const dir = t.testdir();
  const { disk } = await ZabDisk.open<Txn>(dir, silentLogger());
  await disk.append([entry(1, 1)]);
  await disk.append([entry(1, 2)]);
  await disk.close();
  const log = join(dir, 'zab', 'log');
  const full = statSync(log).size;
  // A crash in the middle of the second append: part of its record made it to disk.
  truncateSync(log, full - 5);
  const torn = await ZabDisk.open<Txn>(dir, silentLogger());
  t.same(torn.recovered.state.log, [entry(1, 1)]);
  t.ok(torn.recovered.tornBytes > 0, 'reports the torn bytes');
  await torn.disk.append([entry(1, 3)]);
  await torn.disk.close();
  const again = await ZabDisk.open<Txn>(dir, silentLogger());
  t.same(again.recovered.state.log, [entry(1, 1), entry(1, 3)]);
  await again.disk.close();

  // A record whose bytes are all there but wrong (CRC mismatch) also ends the log.
  const bytes = readFileSync(log);
  appendFileSync(log, Buffer.concat([bytes.subarray(0, 8), Buffer.alloc(bytes.readUInt32BE(0))]));
  const corrupt = await ZabDisk.open<Txn>(dir, silentLogger());
  t.same(corrupt.recovered.state.log, [entry(1, 1), entry(1, 3)]);
  t.ok(corrupt.recovered.tornBytes > 0);
  await corrupt.disk.close();
});
