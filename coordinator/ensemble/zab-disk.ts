/**
 * The durable half of a `ZabServer` (zab.ts): its log and its two epochs, in
 * `<dataDir>/zab/`. Every method resolves once the write is on disk (fsync), so the ensemble
 * shell can hold back the effects that follow it (an ACK must not leave before its proposal
 * is durable).
 *
 *   zab/acceptedEpoch, zab/currentEpoch   one decimal number each, as ZooKeeper's files of the
 *                                          same names; replaced atomically (write a temporary
 *                                          file, fsync, rename, fsync the directory)
 *   zab/log                               append-only records:
 *                                          u32 payload length | u32 CRC-32C of payload | payload
 *                                          payload (jute primitives) = byte op, then:
 *                                          1 append: vector<long zxid, txn> entries (the txn
 *                                            by the caller's `TxnCodec`: txn.ts's binary form)
 *                                          2 truncate: long after
 *                                          and as the first record only 3 base: long after
 *                                          (the log holds every entry after it) or 4 snapshot:
 *                                          long zxid, buffer data (a SNAP's snapshot; the log
 *                                          continues from it)
 *   zab/snapshot.<16 hex digits of zxid>  u32 CRC-32C of the rest | the snapshot's bytes
 *                                          (ensemble/snapshot.ts); written to a temporary file,
 *                                          fsynced and renamed, as ZooKeeper's snapshot.<zxid>
 *
 * Trimming (`trim`, after a newer snapshot is durable) and a SNAP (`installSnapshot`) write a
 * fresh log file and rename it over the old one, so each is atomic: a SNAP's snapshot travels
 * inside the new log, never as a file that could sit next to the old log it does not belong
 * to. Recovery replays the records in order; a record cut short or failing its CRC (a crash in
 * the middle of an append) ends the log: the file is truncated there, so what follows is never
 * read and the next append starts at a clean boundary. Nothing in a torn record was
 * acknowledged, since the ACK waits for the fsync. The snapshot loaded is the newest one at or
 * after the log's base (files that fail their CRC, a crash while writing one, are skipped);
 * snapshot files before the base are deleted when the log is trimmed.
 */
import { mkdir, open, readFile, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../src/logger.js';
import { crc32c } from '../../src/protocol/kafka/crc32c.js';
import { JuteError, JuteReader, JuteWriter } from '../../src/protocol/zookeeper/jute.js';
import type { LogEntry, Snapshot, ZabPersistentState, Zxid } from './zab.js';

type LogRecord<T> =
  | { op: 'append'; entries: LogEntry<T>[] }
  | { op: 'truncate'; after: Zxid }
  | { op: 'base'; after: Zxid }
  | { op: 'snapshot'; zxid: Zxid; data: Buffer };

/** How the log writes and reads the caller's txns (txn.ts's `coordinatorTxnCodec`). */
export interface TxnCodec<T> {
  write(w: JuteWriter, txn: T): void;
  read(r: JuteReader): T;
}

const RecordOp = { append: 1, truncate: 2, base: 3, snapshot: 4 } as const;

const SNAPSHOT_PREFIX = 'snapshot.';
const snapshotName = (zxid: Zxid): string => SNAPSHOT_PREFIX + zxid.toString(16).padStart(16, '0');

const HEADER_BYTES = 8;

/** The whole record, header included: the payload is written after room for the header. */
function encodeRecord<T>(record: LogRecord<T>, codec: TxnCodec<T>): Buffer {
  const w = new JuteWriter(record.op === 'snapshot' ? record.data.length + 64 : 1024);
  w.int(0).int(0);
  w.byte(RecordOp[record.op]);
  switch (record.op) {
    case 'append':
      w.vector(record.entries, (w, e) => {
        w.longNumber(e.zxid);
        codec.write(w, e.txn);
      });
      break;
    case 'truncate':
    case 'base':
      w.longNumber(record.after);
      break;
    case 'snapshot':
      w.longNumber(record.zxid).buffer(record.data);
      break;
  }
  const bytes = w.view();
  const payload = bytes.subarray(HEADER_BYTES);
  bytes.writeUInt32BE(payload.length, 0);
  bytes.writeUInt32BE(crc32c(payload), 4);
  return bytes;
}

/** A record's payload; throws JuteError if it is not one. */
function decodePayload<T>(payload: Buffer, codec: TxnCodec<T>): LogRecord<T> {
  const r = new JuteReader(payload);
  const op = r.byte();
  let record: LogRecord<T>;
  switch (op) {
    case RecordOp.append:
      record = {
        op: 'append',
        entries: r.vector((r) => ({ zxid: r.longNumber('zxid'), txn: codec.read(r) })),
      };
      break;
    case RecordOp.truncate:
      record = { op: 'truncate', after: r.longNumber('zxid') };
      break;
    case RecordOp.base:
      record = { op: 'base', after: r.longNumber('zxid') };
      break;
    case RecordOp.snapshot: {
      const zxid = r.longNumber('zxid');
      const data = r.buffer();
      if (data === null) throw new JuteError('null snapshot');
      record = { op: 'snapshot', zxid, data };
      break;
    }
    default:
      throw new JuteError(`log record type ${op}`);
  }
  if (r.remaining !== 0) throw new JuteError(`${r.remaining} bytes after a log record`);
  return record;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readEpoch(path: string): Promise<number> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`bad epoch in ${path}: ${text}`);
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

export interface RecoveredLog<T> {
  state: ZabPersistentState<T>;
  /** Bytes cut off the end of the log file (a torn last record), 0 if none. */
  tornBytes: number;
}

export class ZabDisk<T> {
  readonly dir: string;
  #log: FileHandle;
  readonly #logger: Logger;
  readonly #codec: TxnCodec<T>;

  private constructor(dir: string, log: FileHandle, logger: Logger, codec: TxnCodec<T>) {
    this.dir = dir;
    this.#log = log;
    this.#logger = logger;
    this.#codec = codec;
  }

  /** Open (or create) `<dataDir>/zab` and recover what it holds. */
  static async open<T>(
    dataDir: string,
    logger: Logger,
    codec: TxnCodec<T>,
  ): Promise<{ disk: ZabDisk<T>; recovered: RecoveredLog<T> }> {
    const dir = join(dataDir, 'zab');
    await mkdir(dir, { recursive: true });
    const acceptedEpoch = await readEpoch(join(dir, 'acceptedEpoch'));
    const currentEpoch = await readEpoch(join(dir, 'currentEpoch'));
    const logPath = join(dir, 'log');
    let bytes: Buffer;
    try {
      bytes = await readFile(logPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      bytes = Buffer.alloc(0);
    }
    let log: LogEntry<T>[] = [];
    let logBase = 0;
    let installed: Snapshot | undefined;
    let offset = 0;
    while (bytes.length - offset >= HEADER_BYTES) {
      const length = bytes.readUInt32BE(offset);
      const crc = bytes.readUInt32BE(offset + 4);
      const end = offset + HEADER_BYTES + length;
      if (end > bytes.length) break;
      const payload = bytes.subarray(offset + HEADER_BYTES, end);
      if (crc32c(payload) !== crc) break;
      let record: LogRecord<T>;
      try {
        record = decodePayload(payload, codec);
      } catch {
        break;
      }
      if (record.op === 'append') {
        for (const entry of record.entries) {
          const last = log.length === 0 ? logBase : log[log.length - 1]!.zxid;
          if (entry.zxid > last) log.push(entry);
        }
      } else if (record.op === 'truncate') {
        const keep = log.findIndex((e) => e.zxid > record.after);
        if (keep >= 0) log.splice(keep);
      } else if (record.op === 'base') {
        log = [];
        logBase = record.after;
      } else {
        log = [];
        logBase = record.zxid;
        installed = { zxid: record.zxid, data: record.data };
      }
      offset = end;
    }
    const tornBytes = bytes.length - offset;
    const handle = await open(logPath, 'a+');
    if (tornBytes > 0) {
      await handle.truncate(offset);
      await handle.sync();
      logger.warn(
        { file: logPath, keptBytes: offset, tornBytes },
        'zab log ends in a torn record: cut it off',
      );
    }
    // The newest snapshot the log follows on from: files first, then the one a SNAP left.
    let snapshot: Snapshot | undefined;
    const names = (await readdir(dir)).filter((n) => /^snapshot\.[0-9a-f]{16}$/.test(n)).sort();
    for (const name of names.reverse()) {
      const zxid = parseInt(name.slice(SNAPSHOT_PREFIX.length), 16);
      if (zxid < logBase) break;
      const bytes = await readFile(join(dir, name));
      if (bytes.length < 4 || crc32c(bytes.subarray(4)) !== bytes.readUInt32BE(0)) {
        logger.warn({ file: name }, 'snapshot file torn or damaged: skipped');
        continue;
      }
      snapshot = { zxid, data: bytes.subarray(4) };
      break;
    }
    if (installed && (!snapshot || installed.zxid >= snapshot.zxid)) snapshot = installed;
    if (logBase > 0 && !snapshot) {
      throw new Error(`${logPath} continues from zxid ${logBase} but no snapshot of it is left`);
    }
    const disk = new ZabDisk<T>(dir, handle, logger, codec);
    const state: ZabPersistentState<T> = {
      acceptedEpoch,
      currentEpoch,
      log,
      logBase,
      ...(snapshot ? { snapshot } : {}),
    };
    return { disk, recovered: { state, tornBytes } };
  }

  async append(entries: LogEntry<T>[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#log.write(encodeRecord<T>({ op: 'append', entries }, this.#codec));
    await this.#log.datasync();
  }

  /** Keep the entries up to `after`, drop the rest. */
  async truncate(after: Zxid): Promise<void> {
    await this.#log.write(encodeRecord<T>({ op: 'truncate', after }, this.#codec));
    await this.#log.datasync();
  }

  /** SNAP: the log becomes `snapshot` and nothing after it, in one rename. */
  async installSnapshot(snapshot: Snapshot): Promise<void> {
    await this.#replaceLog([{ op: 'snapshot', zxid: snapshot.zxid, data: snapshot.data }]);
    this.#logger.info(
      { zxid: '0x' + snapshot.zxid.toString(16), bytes: snapshot.data.length },
      'zab log replaced by a snapshot (SNAP)',
    );
  }

  /**
   * Write `zab/snapshot.<zxid>` durably. Runs beside appends (its own file), so the caller
   * need not hold the log back while a large tree is written.
   */
  async writeSnapshot(snapshot: Snapshot): Promise<void> {
    const name = snapshotName(snapshot.zxid);
    const tmp = join(this.dir, name + '.tmp');
    const handle = await open(tmp, 'w');
    try {
      const crc = Buffer.allocUnsafe(4);
      crc.writeUInt32BE(crc32c(snapshot.data), 0);
      await handle.writev([crc, snapshot.data]);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.dir, name));
    await fsyncDir(this.dir);
  }

  /**
   * Drop the entries up to `upTo` (a snapshot after it is durable): the retained records are
   * read back and written to a fresh log that starts with a base record, renamed over the old
   * one; snapshot files before `upTo` are deleted.
   */
  async trim(upTo: Zxid): Promise<{ kept: number; bytes: number }> {
    const bytes = await readFile(join(this.dir, 'log'));
    const kept: LogEntry<T>[] = [];
    let offset = 0;
    while (bytes.length - offset >= HEADER_BYTES) {
      const end = offset + HEADER_BYTES + bytes.readUInt32BE(offset);
      const record = decodePayload(bytes.subarray(offset + HEADER_BYTES, end), this.#codec);
      if (record.op === 'append') {
        for (const e of record.entries) {
          const last = kept.length === 0 ? upTo : kept[kept.length - 1]!.zxid;
          if (e.zxid > last) kept.push(e);
        }
      } else if (record.op === 'truncate') {
        const keep = kept.findIndex((e) => e.zxid > record.after);
        if (keep >= 0) kept.splice(keep);
      } else {
        kept.length = 0;
      }
      offset = end;
    }
    const records: LogRecord<T>[] = [{ op: 'base', after: upTo }];
    if (kept.length > 0) records.push({ op: 'append', entries: kept });
    const written = await this.#replaceLog(records);
    for (const name of await readdir(this.dir)) {
      if (!/^snapshot\.[0-9a-f]{16}$/.test(name)) continue;
      if (parseInt(name.slice(SNAPSHOT_PREFIX.length), 16) < upTo) {
        await unlink(join(this.dir, name));
      }
    }
    return { kept: kept.length, bytes: written };
  }

  async #replaceLog(records: LogRecord<T>[]): Promise<number> {
    const path = join(this.dir, 'log');
    const tmp = join(this.dir, 'log.tmp');
    const handle = await open(tmp, 'w');
    let written = 0;
    try {
      for (const record of records) {
        const encoded = encodeRecord<T>(record, this.#codec);
        written += encoded.length;
        await handle.write(encoded);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.#log.close();
    await rename(tmp, path);
    await fsyncDir(this.dir);
    this.#log = await open(path, 'a+');
    return written;
  }

  async persistEpochs(acceptedEpoch: number, currentEpoch: number): Promise<void> {
    // acceptedEpoch >= currentEpoch always holds on disk: accepted is written first.
    await this.#writeAtomically('acceptedEpoch', String(acceptedEpoch));
    await this.#writeAtomically('currentEpoch', String(currentEpoch));
    await fsyncDir(this.dir);
  }

  async #writeAtomically(name: string, text: string): Promise<void> {
    const tmp = join(this.dir, name + '.tmp');
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(text + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.dir, name));
  }

  async close(): Promise<void> {
    await this.#log.close();
  }
}
