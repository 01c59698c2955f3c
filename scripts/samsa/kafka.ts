/**
 * What the `samsa` console tools share: a kafkajs client for `--bootstrap-server`, Kafka's
 * error names in one line, and a progress line on stderr.
 *
 * Why kafkajs and not src/kafka-client.ts: the tools are ordinary Kafka clients, and a
 * producer and a group consumer are a lot of protocol (record batches, partitioners, group
 * membership, offset commits, retries on leader changes) that kafkajs already does and that
 * our interop tests already run against these brokers. Using a client we did not write also
 * keeps the tools honest: what works here works for any kafkajs application.
 * src/kafka-client.ts stays the tool for single raw requests (`coordinator groups`).
 */
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { Command } from 'commander';

export const DEFAULT_BOOTSTRAP_SERVER = '127.0.0.1:9092';

/** Adds `--bootstrap-server` to a command. */
export function bootstrapOption(command: Command): Command {
  return command.option(
    '--bootstrap-server <host:port,...>',
    'brokers to connect to',
    DEFAULT_BOOTSTRAP_SERVER,
  );
}

export function kafkaFor(
  bootstrapServer: string,
  clientId: string,
  extra: Partial<KafkaConfig> = {},
) {
  return new Kafka({
    clientId,
    brokers: bootstrapServer
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 3, initialRetryTime: 100 },
    ...extra,
  });
}

interface KafkaJsErrorLike {
  name?: string;
  message?: string;
  type?: string;
  topic?: string;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
}

/**
 * One line for a failure, naming the Kafka error when there is one:
 * `TOPIC_ALREADY_EXISTS: Topic with this name already exists (topic orders)`.
 * kafkajs wraps protocol errors (retries exceeded, aggregates of per-topic errors); the
 * innermost one with a Kafka error type is the one a person needs.
 */
export function describeError(err: unknown): string {
  const seen = new Set<unknown>();
  const typed: KafkaJsErrorLike[] = [];
  const walk = (e: unknown): void => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return;
    seen.add(e);
    const x = e as KafkaJsErrorLike;
    if (typeof x.type === 'string') typed.push(x);
    walk(x.cause);
    walk(x.originalError);
    for (const inner of x.errors ?? []) walk(inner);
  };
  walk(err);
  if (typed.length > 0) {
    return typed
      .map((e) => `${e.type}: ${e.message ?? ''}${e.topic ? ` (topic ${e.topic})` : ''}`)
      .filter((line, i, all) => all.indexOf(line) === i)
      .join('; ');
  }
  const e = err as KafkaJsErrorLike & { apiName?: string };
  if (e?.name === 'KafkaJSServerDoesNotSupportApiKey') {
    return `UNSUPPORTED_VERSION: the broker does not serve ${e.apiName ?? 'this API'} yet`;
  }
  if (e?.name === 'KafkaJSNumberOfRetriesExceeded' || e?.name === 'KafkaJSConnectionError') {
    const inner = (e.cause ?? e.originalError) as KafkaJSErrorLikeOrUndefined;
    return `cannot reach the cluster: ${inner?.message ?? e.message}`;
  }
  return e?.message ?? String(err);
}
type KafkaJSErrorLikeOrUndefined = KafkaJsErrorLike | undefined;

/**
 * A progress line on stderr, rewritten in place on a terminal and printed every
 * `plainEveryMs` otherwise (so a log file gets a line now and then, not thousands).
 */
export class Progress {
  readonly #tty = process.stderr.isTTY === true;
  /** Plain lines start one interval in: a short command prints none. */
  #lastPlainMs = Date.now();
  #shown = false;

  constructor(readonly plainEveryMs = 5_000) {}

  update(line: string): void {
    if (this.#tty) {
      process.stderr.write(`\r\x1b[2K${line}`);
      this.#shown = true;
      return;
    }
    const now = Date.now();
    if (now - this.#lastPlainMs < this.plainEveryMs) return;
    this.#lastPlainMs = now;
    process.stderr.write(`${line}\n`);
  }

  /** Ends the in-place line (before printing a summary). */
  done(): void {
    if (this.#shown) process.stderr.write('\n');
    this.#shown = false;
  }
}

/** `k=v` options, repeatable: collected into a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses `k=v` pairs; a pair without `=` is an error naming the option. */
export function keyValues(pairs: readonly string[], option: string): [string, string][] {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`${option} expects key=value, got "${pair}"`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
}

export function positiveInteger(option: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      throw new Error(`${option} must be a positive integer, got "${value}"`);
    }
    return Number(value);
  };
}

export function integer(option: string) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value)) throw new Error(`${option} must be an integer, got "${value}"`);
    return Number(value);
  };
}
