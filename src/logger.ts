/**
 * The root pino logger and the child-logger convention.
 *
 * Each daemon's `main.ts` calls `createRootLogger()` once; every component takes
 * `logger.child({ component: 'controller' })` (plus identifying fields such as `brokerId`),
 * the pino version of Kafka's `logIdent`. Quiet by default (`info`); `--log-level debug`
 * shows protocol traffic. Logs go to stderr so CLI output on stdout stays clean.
 */
import { pino, type Logger, type Level } from 'pino';

export type { Logger };

export const LOG_LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export interface RootLoggerOptions {
  level?: string;
  /** A name for the process (`coordinator`, `broker-1`), added to every line. */
  name?: string;
}

export function createRootLogger(options: RootLoggerOptions = {}): Logger {
  const level = options.level ?? process.env.SAMSA_LOG_LEVEL ?? 'info';
  if (level !== 'silent' && !LOG_LEVELS.includes(level as Level)) {
    throw new Error(`unknown log level "${level}" (use one of ${LOG_LEVELS.join(', ')}, silent)`);
  }
  return pino({ level, name: options.name, base: { pid: process.pid } }, pino.destination(2));
}

/** A logger that drops everything: for unit tests of pure cores. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
