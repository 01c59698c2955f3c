/**
 * `samsa consume TOPIC`: print records, like kafka-console-consumer.sh and `kcat -C`.
 *
 *   --from-beginning    start at the earliest offset when the group has no committed offset
 *   --group G           consume as member of group G and commit what was printed; without it
 *                       a fresh group `samsa-console-consumer-<random>` is used and nothing
 *                       is committed (Kafka's console consumer also makes up a group)
 *   --partition N       only partition N (a one-member group whose assigner takes only N)
 *   --offset O          with --partition: start at offset O, `earliest` or `latest`
 *   --max-messages N    stop after N records
 *   --timeout-ms T      stop when no record came for T ms (kafka-console-consumer's option)
 *   --format F          kcat-like: %k key, %v value, %p partition, %o offset, %t timestamp
 *                       (ms), %T topic, %h headers as k=v,k=v, %% a %, \n \t escapes;
 *                       default `%v\n`
 *
 * At the end one line on stderr says how many records were printed.
 */
import { randomBytes } from 'node:crypto';
import { AssignerProtocol, type KafkaMessage, type PartitionAssigner } from 'kafkajs';
import type { Command } from 'commander';
import { bootstrapOption, integer, kafkaFor, positiveInteger } from './kafka.js';

const COMMIT_INTERVAL_MS = 5_000;

export interface ConsumeOptions {
  bootstrapServer: string;
  fromBeginning?: boolean;
  group?: string;
  partition?: number;
  offset?: string;
  maxMessages?: number;
  timeoutMs?: number;
  format: string;
}

/** Renders one record with a kcat-like format string. */
export function formatRecord(
  format: string,
  record: { topic: string; partition: number; message: KafkaMessage },
): string {
  const { message } = record;
  const text = (b: Buffer | string | null | undefined): string =>
    b === null || b === undefined ? '' : b.toString();
  const headers = (): string =>
    Object.entries(message.headers ?? {})
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}=${text(x)}`))
      .join(',');
  return format.replace(/%[kvpotTh%]|\\[nt\\]/g, (token) => {
    switch (token) {
      case '%k':
        return text(message.key);
      case '%v':
        return text(message.value);
      case '%p':
        return String(record.partition);
      case '%o':
        return message.offset;
      case '%t':
        return message.timestamp;
      case '%T':
        return record.topic;
      case '%h':
        return headers();
      case '%%':
        return '%';
      case '\\n':
        return '\n';
      case '\\t':
        return '\t';
      default:
        return '\\';
    }
  });
}

/** An assigner that gives the only member the one partition asked for. */
function onePartitionAssigner(topic: string, partition: number): PartitionAssigner {
  return () => ({
    name: 'SamsaOnePartition',
    version: 0,
    protocol: ({ topics }) => ({
      name: 'SamsaOnePartition',
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 0,
        topics,
        userData: Buffer.alloc(0),
      }),
    }),
    assign: ({ members }) =>
      Promise.resolve(
        members.map((m, i) => ({
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 0,
            assignment: i === 0 ? { [topic]: [partition] } : {},
            userData: Buffer.alloc(0),
          }),
        })),
      ),
  });
}

export async function consume(topic: string, options: ConsumeOptions): Promise<void> {
  if (options.offset !== undefined && options.partition === undefined) {
    throw new Error('--offset needs --partition (as in kafka-console-consumer)');
  }
  if (options.offset !== undefined && !/^(\d+|earliest|latest)$/.test(options.offset)) {
    throw new Error(`--offset must be a number, earliest or latest, got "${options.offset}"`);
  }
  const groupId = options.group ?? `samsa-console-consumer-${randomBytes(4).toString('hex')}`;
  const commit = options.group !== undefined;
  const kafka = kafkaFor(options.bootstrapServer, 'samsa-console-consumer');
  const consumer = kafka.consumer({
    groupId,
    // Kafka's fetch.max.wait.ms (500 ms), not kafkajs's 5 s: once --max-messages are printed
    // the consumer stops, and its disconnect waits for the fetch in flight, which an idle
    // partition answers only when this wait is over.
    maxWaitTimeInMs: 500,
    ...(options.partition === undefined
      ? {}
      : { partitionAssigners: [onePartitionAssigner(topic, options.partition)] }),
  });
  await consumer.connect();
  let printed = 0;
  /** Next offset to commit, per partition, for what was printed. */
  const consumed = new Map<number, bigint>();
  let finish!: (err?: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = (err) => (err === undefined ? resolve() : reject(err as Error));
  });
  let idleTimer: NodeJS.Timeout | undefined;
  let commitTimer: NodeJS.Timeout | undefined;
  const armIdleTimer = (): void => {
    if (options.timeoutMs === undefined) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => finish(), options.timeoutMs);
  };
  const stop = (): void => finish();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  consumer.on(consumer.events.CRASH, (e) => finish(e.payload.error));
  try {
    await consumer.subscribe({ topic, fromBeginning: options.fromBeginning === true });
    await consumer.run({
      // Never kafkajs' auto-commit: it commits every record of a batch handed to eachMessage,
      // also those skipped after --max-messages. Only what was printed is committed.
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        if (options.maxMessages !== undefined && printed >= options.maxMessages) {
          return Promise.resolve();
        }
        process.stdout.write(formatRecord(options.format, { topic, partition, message }));
        printed++;
        consumed.set(partition, BigInt(message.offset) + 1n);
        armIdleTimer();
        if (options.maxMessages !== undefined && printed >= options.maxMessages) finish();
        return Promise.resolve();
      },
    });
    if (options.partition !== undefined && options.offset !== undefined) {
      const offset = await resolveOffset(kafka, topic, options.partition, options.offset);
      consumer.seek({ topic, partition: options.partition, offset });
    }
    armIdleTimer();
    const commitConsumed = async (): Promise<void> => {
      if (!commit || consumed.size === 0) return;
      const offsets = [...consumed].map(([partition, next]) => ({
        topic,
        partition,
        offset: String(next),
      }));
      consumed.clear();
      await consumer.commitOffsets(offsets);
    };
    // Like auto.commit.interval.ms (5 s): a long-running consume commits as it goes.
    commitTimer = setInterval(() => void commitConsumed().catch(finish), COMMIT_INTERVAL_MS);
    await finished;
    clearInterval(commitTimer);
    await commitConsumed();
  } finally {
    clearTimeout(idleTimer);
    clearInterval(commitTimer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await consumer.disconnect();
  }
  process.stderr.write(`consumed ${printed} records from ${topic}\n`);
}

async function resolveOffset(
  kafka: ReturnType<typeof kafkaFor>,
  topic: string,
  partition: number,
  offset: string,
): Promise<string> {
  if (/^\d+$/.test(offset)) return offset;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const p = offsets.find((o) => o.partition === partition);
    if (p === undefined) throw new Error(`${topic} has no partition ${partition}`);
    return offset === 'earliest' ? p.low : p.high;
  } finally {
    await admin.disconnect();
  }
}

export function registerConsume(program: Command): void {
  bootstrapOption(
    program.command('consume <topic>').description('print records (kafka-console-consumer)'),
  )
    .option('--from-beginning', 'start at the earliest offset if nothing is committed')
    .option('--group <group>', 'consumer group (commits what was printed)')
    .option('--partition <n>', 'only this partition', integer('--partition'))
    .option('--offset <offset>', 'with --partition: a number, earliest or latest')
    .option('--max-messages <n>', 'stop after n records', positiveInteger('--max-messages'))
    .option('--timeout-ms <ms>', 'stop after ms without a record', positiveInteger('--timeout-ms'))
    .option('--format <format>', 'kcat-like: %k %v %p %o %t %T %h', '%v\\n')
    .action((topic: string, o: ConsumeOptions) => consume(topic, o));
}
