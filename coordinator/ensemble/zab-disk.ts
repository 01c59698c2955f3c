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
 *                                          payload = JSON {op: 'append', entries} or
 *                                          {op: 'truncate', after}
 *
 * A SNAP (`replace`) writes a fresh log file holding one append record and renames it over the
 * old one. Recovery replays the records in order; a record cut short or failing its CRC (a
 * crash in the middle of an append) ends the log: the file is truncated there, so what
 * follows is never read and the next append starts at a clean boundary. Nothing in a torn
 * record was acknowledged, since the ACK waits for the fsync.
 *
 * There are no snapshots yet: the log holds every txn since the ensemble began, and a
 * restarted server rebuilds its tree by applying all of it.
 */
import { open, readFile, rename, mkdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../src/logger.js';
import { crc32c } from '../../src/protocol/kafka/crc32c.js';
import { decodePayload, encodePayload } from './codec.js';
import type { LogEntry, ZabPersistentState, Zxid } from './zab.js';

type LogRecord<T> = { op: 'append'; entries: LogEntry<T>[] } | { op: 'truncate'; after: Zxid };

const HEADER_BYTES = 8;

function encodeRecord<T>(record: LogRecord<T>): Buffer {
  const payload = encodePayload(record);
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32c(payload), 4);
  return Buffer.concat([header, payload]);
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

  private constructor(dir: string, log: FileHandle, logger: Logger) {
    this.dir = dir;
    this.#log = log;
    this.#logger = logger;
  }

  /** Open (or create) `<dataDir>/zab` and recover what it holds. */
  static async open<T>(
    dataDir: string,
    logger: Logger,
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
    const log: LogEntry<T>[] = [];
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
        record = decodePayload(payload) as LogRecord<T>;
      } catch {
        break;
      }
      if (record.op === 'append') {
        for (const entry of record.entries) {
          const last = log.length === 0 ? 0 : log[log.length - 1]!.zxid;
          if (entry.zxid > last) log.push(entry);
        }
      } else {
        const keep = log.findIndex((e) => e.zxid > record.after);
        if (keep >= 0) log.splice(keep);
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
    const disk = new ZabDisk<T>(dir, handle, logger);
    return { disk, recovered: { state: { acceptedEpoch, currentEpoch, log }, tornBytes } };
  }

  async append(entries: LogEntry<T>[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#log.write(encodeRecord<T>({ op: 'append', entries }));
    await this.#log.datasync();
  }

  /** Keep the entries up to `after`, drop the rest. */
  async truncate(after: Zxid): Promise<void> {
    await this.#log.write(encodeRecord<T>({ op: 'truncate', after }));
    await this.#log.datasync();
  }

  /** The log becomes exactly `entries` (SNAP). */
  async replace(entries: LogEntry<T>[]): Promise<void> {
    const path = join(this.dir, 'log');
    const tmp = join(this.dir, 'log.tmp');
    const handle = await open(tmp, 'w');
    try {
      if (entries.length > 0) await handle.write(encodeRecord<T>({ op: 'append', entries }));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.#log.close();
    await rename(tmp, path);
    await fsyncDir(this.dir);
    this.#log = await open(path, 'a+');
    this.#logger.info({ entries: entries.length }, 'zab log replaced (SNAP)');
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
