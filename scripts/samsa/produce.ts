/**
 * `samsa produce TOPIC`: one record per line of stdin, like kafka-console-producer.sh and
 * `kcat -P`.
 *
 *   --key-separator S   each line is KEY S VALUE (split at the first S); a line without S is
 *                       an error, as in Kafka's console producer with parse.key=true
 *   --acks A            0, 1, -1 or all (default all, as Kafka 3's producers)
 *   --compression C     none or gzip (kafkajs has gzip built in; snappy, lz4 and zstd need
 *                       codec packages this project does not install)
 *   --partition N       every record to partition N (default: kafkajs' default partitioner,
 *                       murmur2 of the key as in Java, round-robin-ish without one)
 *   --header k=v        a header on every record (repeatable)
 *
 * Lines are sent in batches of up to --batch-records (a terminal sends each line at once).
 * At the end one line on stderr says how many records went where.
 */
import { createInterface } from 'node:readline';
import { CompressionTypes, Partitioners, type Message } from 'kafkajs';
import type { Command } from 'commander';
import {
  bootstrapOption,
  collect,
  integer,
  kafkaFor,
  keyValues,
  positiveInteger,
  Progress,
} from './kafka.js';

export interface ProduceOptions {
  bootstrapServer: string;
  keySeparator?: string;
  acks: string;
  compression: string;
  partition?: number;
  header: string[];
  batchRecords: number;
}

export function parseAcks(acks: string): number {
  if (acks === 'all' || acks === '-1') return -1;
  if (acks === '0' || acks === '1') return Number(acks);
  throw new Error(`--acks must be 0, 1, -1 or all, got "${acks}"`);
}

export function compressionType(name: string): CompressionTypes {
  switch (name) {
    case 'none':
      return CompressionTypes.None;
    case 'gzip':
      return CompressionTypes.GZIP;
    case 'snappy':
    case 'lz4':
    case 'zstd':
      throw new Error(
        `--compression ${name}: kafkajs needs a codec package for it, which is not installed ` +
          '(use none or gzip)',
      );
    default:
      throw new Error(`--compression must be none or gzip, got "${name}"`);
  }
}

/** One stdin line as a record. */
export function lineToMessage(
  line: string,
  options: { keySeparator?: string; partition?: number; headers: Record<string, string> },
): Message {
  let key: string | null = null;
  let value = line;
  if (options.keySeparator !== undefined) {
    const at = line.indexOf(options.keySeparator);
    if (at < 0) throw new Error(`no key separator "${options.keySeparator}" in line: ${line}`);
    key = line.slice(0, at);
    value = line.slice(at + options.keySeparator.length);
  }
  const message: Message = { key, value };
  if (Object.keys(options.headers).length > 0) message.headers = { ...options.headers };
  if (options.partition !== undefined) message.partition = options.partition;
  return message;
}

export async function produce(topic: string, options: ProduceOptions): Promise<void> {
  const acks = parseAcks(options.acks);
  const compression = compressionType(options.compression);
  const headers = Object.fromEntries(keyValues(options.header, '--header'));
  const kafka = kafkaFor(options.bootstrapServer, 'samsa-console-producer');
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const progress = new Progress();
  const interactive = process.stdin.isTTY === true;
  let sent = 0;
  const partitions = new Set<number>();
  let batch: Message[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const messages = batch;
    batch = [];
    const results = await producer.send({ topic, acks, compression, messages });
    for (const r of results) partitions.add(r.partition);
    sent += messages.length;
    if (!interactive) progress.update(`produced ${sent} records`);
  };
  try {
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      batch.push(lineToMessage(line, { ...options, headers }));
      if (interactive || batch.length >= options.batchRecords) await flush();
    }
    await flush();
  } finally {
    progress.done();
    await producer.disconnect();
  }
  const where = [...partitions].sort((a, b) => a - b).join(',');
  process.stderr.write(
    `produced ${sent} records to ${topic}${sent > 0 ? ` (partitions ${where})` : ''}\n`,
  );
}

export function registerProduce(program: Command): void {
  bootstrapOption(
    program
      .command('produce <topic>')
      .description('send each line of stdin as a record (kafka-console-producer)'),
  )
    .option('--key-separator <sep>', 'lines are KEY<sep>VALUE')
    .option('--acks <acks>', '0, 1, -1 or all', 'all')
    .option('--compression <type>', 'none or gzip', 'none')
    .option('--partition <n>', 'send every record to this partition', integer('--partition'))
    .option('--header <key=value>', 'a header on every record (repeatable)', collect, [])
    .option(
      '--batch-records <n>',
      'records per produce request when reading a pipe',
      positiveInteger('--batch-records'),
      500,
    )
    .action((topic: string, o: ProduceOptions) => produce(topic, o));
}
