/**
 * Kafka's offset checkpoint files: the small text files in each log dir that remember one
 * offset per partition across restarts.
 *
 *   recovery-point-offset-checkpoint   offset below which each log is known to be fsynced
 *   log-start-offset-checkpoint        each log's start offset
 *   replication-offset-checkpoint      each partition's high watermark (owned by the replica
 *                                      layer; this module only reads and writes the file)
 *   cleaner-offset-checkpoint          where each compacted log's dirty part begins (the log
 *                                      cleaner's)
 *
 * Format (Kafka's CheckpointFile, version 0), e.g.:
 *
 *   0                 <- format version
 *   2                 <- number of entries
 *   orders 0 368769   <- topic, partition, offset, separated by one space
 *   orders 1 1024
 *
 * Writes are atomic: the content goes to `<file>.tmp`, which is fsynced and renamed over the
 * file, and then the directory is fsynced. A crash therefore leaves either the old or the new
 * checkpoint, never a mix; a leftover `.tmp` is ignored (and removed by the next write).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TopicPartition } from './log.js';
import { fsyncDirectorySync } from './log.js';

export const RECOVERY_POINT_CHECKPOINT_FILE = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT_FILE = 'log-start-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT_FILE = 'replication-offset-checkpoint';
export const CLEANER_OFFSET_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';
const CHECKPOINT_VERSION = 0;

export interface CheckpointEntry extends TopicPartition {
  offset: number;
}

/** A checkpoint file we cannot parse. Kafka refuses to start on one; so do we. */
export class CheckpointFormatError extends Error {
  override name = 'CheckpointFormatError';
  readonly code = 'LOG_ERR_CHECKPOINT_FORMAT';
}

export function formatCheckpoint(entries: readonly CheckpointEntry[]): string {
  const lines = [String(CHECKPOINT_VERSION), String(entries.length)];
  for (const e of entries) lines.push(`${e.topic} ${e.partition} ${e.offset}`);
  return lines.join('\n') + '\n';
}

export function parseCheckpoint(text: string, file = 'checkpoint'): CheckpointEntry[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const fail = (why: string): never => {
    throw new CheckpointFormatError(`malformed ${file}: ${why}`);
  };
  if (lines[0] !== String(CHECKPOINT_VERSION)) fail(`unsupported version "${lines[0] ?? ''}"`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0) fail(`bad entry count "${lines[1] ?? ''}"`);
  if (lines.length !== count + 2) fail(`expected ${count} entries, found ${lines.length - 2}`);
  return lines.slice(2).map((line) => {
    const fields = line.split(' ');
    const partition = Number(fields[1]);
    const offset = Number(fields[2]);
    if (fields.length !== 3 || !Number.isInteger(partition) || !Number.isSafeInteger(offset)) {
      fail(`bad line "${line}"`);
    }
    return { topic: fields[0]!, partition, offset };
  });
}

/** Reads `dir/name`; a missing file is an empty checkpoint (a new log dir). */
export function readCheckpointFile(dir: string, name: string): CheckpointEntry[] {
  const file = path.join(dir, name);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseCheckpoint(text, file);
}

/** Atomically replaces `dir/name` (tmp + fsync + rename + directory fsync). */
export function writeCheckpointFile(
  dir: string,
  name: string,
  entries: readonly CheckpointEntry[],
): void {
  const file = path.join(dir, name);
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, formatCheckpoint(entries));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirectorySync(dir);
}
