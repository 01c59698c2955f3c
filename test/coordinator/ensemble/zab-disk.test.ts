/**
 * The durable Zab log, epochs and snapshots (coordinator/ensemble/zab-disk.ts): what was
 * appended, truncated, trimmed and installed comes back after a reopen, a torn last record is
 * cut off, and a torn snapshot file is skipped for the one before it.
 */
import t from 'tap';
import {
  appendFileSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../../src/logger.js';
import { crc32c } from '../../../src/protocol/kafka/crc32c.js';
import { ZabDisk, type TxnCodec } from '../../../coordinator/ensemble/zab-disk.js';
import { makeZxid, type LogEntry } from '../../../coordinator/ensemble/zab.js';

type Txn = { value: string; bytes: Buffer };
/** The log stores txns in the caller's binary form; this test's txns are two fields. */
const codec: TxnCodec<Txn> = {
  write: (w, txn) => void w.ustring(txn.value).buffer(txn.bytes),
  read: (r) => ({ value: r.ustring() ?? '', bytes: r.buffer() ?? Buffer.alloc(0) }),
};
const entry = (epoch: number, counter: number): LogEntry<Txn> => ({
  zxid: makeZxid(epoch, counter),
  txn: { value: `${epoch}.${counter}`, bytes: Buffer.from([epoch, counter]) },
});

t.test('append, truncate, replace and epochs survive a reopen', async (t) => {
  const dir = t.testdir();
  const first = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.same(
    first.recovered.state,
    { acceptedEpoch: 0, currentEpoch: 0, log: [], logBase: 0 },
    'empty at first',
  );
  await first.disk.persistEpochs(2, 1);
  await first.disk.append([entry(1, 1), entry(1, 2)]);
  await first.disk.append([entry(1, 3)]);
  await first.disk.truncate(makeZxid(1, 2));
  await first.disk.append([entry(2, 1)]);
  await first.disk.close();

  const second = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.equal(second.recovered.state.acceptedEpoch, 2);
  t.equal(second.recovered.state.currentEpoch, 1);
  t.same(second.recovered.state.log, [entry(1, 1), entry(1, 2), entry(2, 1)]);
  t.ok(Buffer.isBuffer(second.recovered.state.log[0]!.txn.bytes), 'Buffers come back as Buffers');
  const snapshot = { zxid: makeZxid(2, 7), data: Buffer.from('the tree at 2.7') };
  await second.disk.installSnapshot(snapshot);
  await second.disk.append([entry(3, 1)]);
  await second.disk.close();

  const third = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.same(third.recovered.state.log, [entry(3, 1)], 'SNAP replaced the log');
  t.equal(third.recovered.state.logBase, snapshot.zxid, 'the log continues from the snapshot');
  t.same(third.recovered.state.snapshot, snapshot, 'the SNAP snapshot comes back');
  t.equal(third.recovered.tornBytes, 0);
  await third.disk.close();
});

t.test('snapshot files, trimming, and a torn snapshot', async (t) => {
  const dir = t.testdir();
  const { disk } = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  await disk.append([entry(1, 1), entry(1, 2), entry(1, 3)]);
  const s2 = { zxid: makeZxid(1, 2), data: Buffer.from('tree at 1.2') };
  await disk.writeSnapshot(s2);
  await disk.append([entry(1, 4), entry(1, 5)]);
  await disk.truncate(makeZxid(1, 4));
  await disk.append([entry(2, 1)]);
  const s4 = { zxid: makeZxid(1, 4), data: Buffer.from('tree at 1.4') };
  await disk.writeSnapshot(s4);
  // Zab trims up to the snapshot before the newest.
  const trimmed = await disk.trim(s2.zxid, [entry(1, 3), entry(1, 4), entry(2, 1)]);
  t.same(trimmed.kept, 3, 'entries after the base are kept');
  await disk.close();

  const zab = join(dir, 'zab');
  t.same(
    readdirSync(zab).filter((n) => n.startsWith('snapshot.')),
    ['snapshot.0000000100000002', 'snapshot.0000000100000004'],
  );
  const reopened = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.equal(reopened.recovered.state.logBase, s2.zxid);
  t.same(reopened.recovered.state.log, [entry(1, 3), entry(1, 4), entry(2, 1)]);
  t.same(reopened.recovered.state.snapshot, s4, 'the newest snapshot');
  await reopened.disk.close();

  // The newest snapshot torn (a crash while it was written): the one before is used, and
  // the log still holds everything after it.
  const newest = join(zab, 'snapshot.0000000100000004');
  writeFileSync(newest, readFileSync(newest).subarray(0, 6));
  const torn = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.same(torn.recovered.state.snapshot, s2);
  t.equal(torn.recovered.state.logBase, s2.zxid);
  // The next trim deletes snapshot files before its base.
  const s5 = { zxid: makeZxid(2, 1), data: Buffer.from('tree at 2.1') };
  await torn.disk.writeSnapshot(s5);
  await torn.disk.trim(s4.zxid, [entry(2, 1)]);
  await torn.disk.close();
  t.same(
    readdirSync(zab).filter((n) => n.startsWith('snapshot.')),
    ['snapshot.0000000100000004', 'snapshot.0000000200000001'],
  );
  const last = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.same(last.recovered.state.snapshot, s5);
  t.same(last.recovered.state.log, [entry(2, 1)]);
  await last.disk.close();
});

t.test('a torn last record is cut off and appends go on after the last good one', async (t) => {
  const dir = t.testdir();
  const { disk } = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  await disk.append([entry(1, 1)]);
  await disk.append([entry(1, 2)]);
  await disk.close();
  const log = join(dir, 'zab', 'log');
  const full = statSync(log).size;
  // A crash in the middle of the second append: part of its record made it to disk.
  truncateSync(log, full - 5);
  const torn = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.same(torn.recovered.state.log, [entry(1, 1)]);
  t.ok(torn.recovered.tornBytes > 0, 'reports the torn bytes');
  await torn.disk.append([entry(1, 3)]);
  await torn.disk.close();
  const again = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.same(again.recovered.state.log, [entry(1, 1), entry(1, 3)]);
  await again.disk.close();

  // A record whose bytes are all there but wrong (CRC mismatch) also ends the log.
  const bytes = readFileSync(log);
  appendFileSync(log, Buffer.concat([bytes.subarray(0, 8), Buffer.alloc(bytes.readUInt32BE(0))]));
  const corrupt = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.same(corrupt.recovered.state.log, [entry(1, 1), entry(1, 3)]);
  t.ok(corrupt.recovered.tornBytes > 0);
  await corrupt.disk.close();
});

t.test('appends and a truncation made while a trim rewrites the log end up in it', async (t) => {
  const dir = t.testdir();
  const { disk } = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  const first = Array.from({ length: 2500 }, (_, i) => entry(1, i + 1));
  await disk.append(first);
  await disk.writeSnapshot({ zxid: makeZxid(1, 100), data: Buffer.from('tree at 1.100') });
  // The trim starts; the appends are issued before it has finished its first write.
  const trim = disk.trim(makeZxid(1, 100), first.slice(100));
  const during = [disk.append([entry(1, 2501)]), disk.append([entry(1, 2502), entry(1, 2503)])];
  await Promise.all(during);
  await disk.truncate(makeZxid(1, 2502));
  const trimmed = await trim;
  t.equal(trimmed.kept, 2400);
  await disk.append([entry(2, 1)]);
  await disk.close();
  const reopened = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.equal(reopened.recovered.state.logBase, makeZxid(1, 100));
  t.same(reopened.recovered.state.log, [
    ...first.slice(100),
    entry(1, 2501),
    entry(1, 2502),
    entry(2, 1),
  ]);
  await reopened.disk.close();
});

t.test('trims queued behind a trim: the newest does the work, no append is lost', async (t) => {
  const dir = t.testdir();
  const { disk } = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  const first = Array.from({ length: 3000 }, (_, i) => entry(1, i + 1));
  await disk.append(first);
  await disk.writeSnapshot({ zxid: makeZxid(1, 300), data: Buffer.from('tree at 1.300') });
  // As the shell asks: each trim once the appends before it are durable, appends go on.
  const t1 = disk.trim(makeZxid(1, 100), first.slice(100));
  await disk.append([entry(1, 3001)]);
  const t2 = disk.trim(makeZxid(1, 200), [...first.slice(200), entry(1, 3001)]);
  await disk.append([entry(1, 3002)]);
  const t3 = disk.trim(makeZxid(1, 300), [...first.slice(300), entry(1, 3001), entry(1, 3002)]);
  const last = disk.append([entry(1, 3003)]);
  const [r1, r2, r3] = await Promise.all([t1, t2, t3, last]);
  t.equal(r1.kept, 2900);
  t.equal(r2.superseded, true, 'the trim still waiting is superseded by the newer one');
  t.equal(r3.kept, 2702);
  await disk.close();
  const reopened = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.equal(reopened.recovered.state.logBase, makeZxid(1, 300));
  t.same(reopened.recovered.state.log, [
    ...first.slice(300),
    entry(1, 3001),
    entry(1, 3002),
    entry(1, 3003),
  ]);
  await reopened.disk.close();
});

t.test('a log written in the JSON format of earlier versions is read on', async (t) => {
  const dir = t.testdir({ zab: {} });
  // What ZabDisk wrote before the binary format: u32 length, u32 CRC32C, the record as JSON
  // with Buffers as {"$b": base64}.
  const legacy = (record: unknown): Buffer => {
    const payload = Buffer.from(
      JSON.stringify(record, function (this: Record<string, unknown>, key, v: unknown) {
        const raw = this[key];
        return Buffer.isBuffer(raw) ? { $b: raw.toString('base64') } : v;
      }),
    );
    const header = Buffer.alloc(8);
    header.writeUInt32BE(payload.length, 0);
    header.writeUInt32BE(crc32c(payload), 4);
    return Buffer.concat([header, payload]);
  };
  writeFileSync(
    join(dir, 'zab', 'log'),
    Buffer.concat([
      legacy({ op: 'append', entries: [entry(1, 1), entry(1, 2), entry(1, 3)] }),
      legacy({ op: 'truncate', after: makeZxid(1, 2) }),
    ]),
  );
  const old = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.same(old.recovered.state.log, [entry(1, 1), entry(1, 2)], 'the JSON records are read');
  t.equal(old.recovered.tornBytes, 0, 'nothing is cut off');
  await old.disk.append([entry(2, 1)]);
  await old.disk.close();
  const mixed = await ZabDisk.open<Txn>(dir, silentLogger(), codec);
  t.same(
    mixed.recovered.state.log,
    [entry(1, 1), entry(1, 2), entry(2, 1)],
    'binary records follow the JSON ones in the same log',
  );
  await mixed.disk.close();
});

t.test('a record whose checksum holds but cannot be read stops the start, unchanged', async (t) => {
  const dir = t.testdir({ zab: {} });
  const payload = Buffer.from([99, 1, 2, 3]); // no such record type
  const header = Buffer.alloc(8);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32c(payload), 4);
  const bytes = Buffer.concat([header, payload]);
  writeFileSync(join(dir, 'zab', 'log'), bytes);
  await t.rejects(ZabDisk.open<Txn>(dir, silentLogger(), codec), /cannot be read/);
  t.same(readFileSync(join(dir, 'zab', 'log')), bytes, 'the log is left as it was');
});
