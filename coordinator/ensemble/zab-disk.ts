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
 * fresh log file and rename it over the old one, so each is atomic (a trim writes the entries
 * Zab hands it while appends go on to the old log, and copies those appends over before the
 * rename; no record is read back or decoded): a SNAP's snapshot travels
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
/** Entries per append record of a log rewritten by a trim. */
const TRIM_RECORD_ENTRIES = 1000;

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

/**
 * The first byte of a log record written before the binary format (until 2026-12-03): the
 * payload was the record as JSON, Buffers as `{"$b": base64}` and bigints as `{"$n": "123"}`.
 * A binary payload starts with its RecordOp (1 to 4), so the two cannot be confused, and a log
 * written by an older version is read on (new records are appended in the binary format).
 */
const LEGACY_JSON_RECORD = 0x7b; // '{'

function decodeLegacyJsonRecord<T>(payload: Buffer): LogRecord<T> {
  try {
    return JSON.parse(payload.toString('utf8'), (_key, v: unknown) => {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o);
        if (keys.length === 1 && typeof o.$b === 'string') return Buffer.from(o.$b, 'base64');
        if (keys.length === 1 && typeof o.$n === 'string') return BigInt(o.$n);
      }
      return v;
    }) as LogRecord<T>;
  } catch (err) {
    throw new JuteError(`legacy log record: ${(err as Error).message}`);
  }
}

/** A record's payload; throws JuteError if it is not one. */
function decodePayload<T>(payload: Buffer, codec: TxnCodec<T>): LogRecord<T> {
  if (payload[0] === LEGACY_JSON_RECORD) return decodeLegacyJsonRecord<T>(payload);
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
  /** The tail of the chain of operations on the log file (one at a time). */
  #tail: Promise<unknown> = Promise.resolve();
  /** The trim in progress, if any (resolves when it ends, however it ends). */
  #trimming: Promise<void> = Promise.resolve();
  /**
   * Per trim asked for and not yet swapped in: the records appended to the old log since it
   * was asked for (its `kept` entries end where they begin).
   */
  readonly #sinceTrim = new Set<Buffer[]>();
  /** A trim waiting for the one in progress; a newer trim supersedes it. */
  #queuedTrim: { superseded: boolean } | undefined;
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
      } catch (err) {
        // Its checksum holds, so these are the bytes that were written: not a torn write but a
        // record this version cannot read. Cutting it off would lose acknowledged writes.
        throw new Error(
          `${logPath}: the record at byte ${offset} cannot be read ` +
            `(${(err as Error).message}); refusing to start, nothing was changed`,
          { cause: err },
        );
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
    await this.#writeLogRecord({ op: 'append', entries });
  }

  /** Keep the entries up to `after`, drop the rest. */
  async truncate(after: Zxid): Promise<void> {
    await this.#writeLogRecord({ op: 'truncate', after });
  }

  async #writeLogRecord(record: LogRecord<T>): Promise<void> {
    const encoded = encodeRecord<T>(record, this.#codec);
    await this.#exclusive(async () => {
      await this.#log.write(encoded);
      await this.#log.datasync();
      // A trim writing the new log meanwhile copies this record into it before the swap.
      for (const records of this.#sinceTrim) records.push(encoded);
    });
  }

  /** SNAP: the log becomes `snapshot` and nothing after it, in one rename. */
  async installSnapshot(snapshot: Snapshot): Promise<void> {
    // A trim in progress would swap in a log without the snapshot: let it finish first.
    await this.#trimming;
    await this.#exclusive(async () => {
      const tmp = await this.#startNewLog();
      try {
        await tmp.write(
          encodeRecord<T>(
            { op: 'snapshot', zxid: snapshot.zxid, data: snapshot.data },
            this.#codec,
          ),
        );
      } catch (err) {
        await tmp.close();
        throw err;
      }
      await this.#swapInNewLog(tmp);
    });
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
   * Drop the entries up to `upTo` (a snapshot after it is durable). `kept` is what the log
   * holds after `upTo` when the trim is asked for (Zab's in-memory log, equal to the durable
   * one once the effects before the trim are done). They are written to a fresh log that
   * starts with a base record, in records of `TRIM_RECORD_ENTRIES` (each write hands the event
   * loop back), while appends and truncations go on to the old log; those are copied over at
   * the end, and the fresh log is renamed over the old one. Then snapshot files before `upTo`
   * are deleted. One trim at a time: a second waits for the first, and a trim still waiting
   * when a newer one is asked for is superseded by it (resolves with `superseded`).
   */
  async trim(
    upTo: Zxid,
    kept: readonly LogEntry<T>[],
  ): Promise<{ kept: number; bytes: number; superseded?: boolean }> {
    // From now on every record appended belongs after `kept`: capture it at once, not when
    // this trim gets to run (a previous one may still be running).
    const since: Buffer[] = [];
    this.#sinceTrim.add(since);
    const previous = this.#trimming;
    if (this.#queuedTrim) this.#queuedTrim.superseded = true;
    const queued = { superseded: false };
    this.#queuedTrim = queued;
    let done!: () => void;
    this.#trimming = new Promise<void>((resolve) => (done = resolve));
    try {
      await previous;
      if (this.#queuedTrim === queued) this.#queuedTrim = undefined;
      // A newer trim (a later snapshot) was asked for meanwhile: it does this one's work.
      if (queued.superseded) return { kept: 0, bytes: 0, superseded: true };
      return await this.#trim(upTo, kept, since);
    } finally {
      this.#sinceTrim.delete(since);
      done();
    }
  }

  async #trim(
    upTo: Zxid,
    kept: readonly LogEntry<T>[],
    since: Buffer[],
  ): Promise<{ kept: number; bytes: number }> {
    for (let i = 1; i < kept.length; i++) {
      if (kept[i]!.zxid <= kept[i - 1]!.zxid) throw new Error('trim: entries out of order');
    }
    if (kept.length > 0 && kept[0]!.zxid <= upTo) throw new Error('trim: entry before its base');
    const tmp = await this.#startNewLog();
    let written = 0;
    try {
      const base = encodeRecord<T>({ op: 'base', after: upTo }, this.#codec);
      written += base.length;
      await tmp.write(base);
      for (let i = 0; i < kept.length; i += TRIM_RECORD_ENTRIES) {
        const entries = kept.slice(i, i + TRIM_RECORD_ENTRIES);
        const record = encodeRecord<T>({ op: 'append', entries }, this.#codec);
        written += record.length;
        await tmp.write(record);
      }
      // Most of the retained log is on its way to disk before appends are held back.
      await tmp.datasync();
      await this.#exclusive(async () => {
        // No append runs now: what was appended since the trim was asked for is all here.
        this.#sinceTrim.delete(since);
        for (const record of since) {
          written += record.length;
          await tmp.write(record);
        }
        await this.#swapInNewLog(tmp);
      });
    } catch (err) {
      await tmp.close().catch(() => {});
      throw err;
    }
    for (const name of await readdir(this.dir)) {
      if (!/^snapshot\.[0-9a-f]{16}$/.test(name)) continue;
      if (parseInt(name.slice(SNAPSHOT_PREFIX.length), 16) < upTo) {
        await unlink(join(this.dir, name));
      }
    }
    return { kept: kept.length, bytes: written };
  }

  /** Runs `fn` once every operation on the log file queued before it has finished. */
  #exclusive<R>(fn: () => Promise<R>): Promise<R> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async #startNewLog(): Promise<FileHandle> {
    return open(join(this.dir, 'log.tmp'), 'w');
  }

  /** fsync the new log, rename it over the old one and append to it from now on. */
  async #swapInNewLog(tmp: FileHandle): Promise<void> {
    try {
      await tmp.sync();
    } finally {
      await tmp.close();
    }
    const path = join(this.dir, 'log');
    await this.#log.close();
    await rename(join(this.dir, 'log.tmp'), path);
    await fsyncDir(this.dir);
    this.#log = await open(path, 'a+');
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
    await this.#trimming;
    await this.#exclusive(() => this.#log.close());
  }
}
