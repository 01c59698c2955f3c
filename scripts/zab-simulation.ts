#!/usr/bin/env node
/**
 * Runs the Zab ensemble simulation (test/coordinator/ensemble/zab-simulation.ts) over many
 * seeds, more than the test suite has time for:
 *
 *   npm run sim:zab -- [--seeds 5000] [--from 1] [--servers 3] [--observers 0] [--verbose]
 *
 * Prints a progress line, then the totals; exits 1 if any seed broke a check, listing it so
 * it can be replayed with `--from SEED --seeds 1 --verbose`.
 */
import { parseArgs } from 'node:util';
import { runSimulation } from '../test/coordinator/ensemble/zab-simulation.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5000' },
    from: { type: 'string', default: '1' },
    servers: { type: 'string', default: '3' },
    observers: { type: 'string', default: '0' },
    verbose: { type: 'boolean', default: false },
  },
});
const seeds = Number(values.seeds);
const from = Number(values.from);
const servers = Number(values.servers);
const observers = Number(values.observers);
/** Every count a run reports (acknowledged, applied, crashes, ..., each kind of sync), summed. */
const totals: Record<string, number> = {};
const add = (counts: Record<string, number>): void => {
  for (const [name, n] of Object.entries(counts)) totals[name] = (totals[name] ?? 0) + n;
};
const failed: number[] = [];
const started = Date.now();
for (let seed = from; seed < from + seeds; seed++) {
  const r = runSimulation({ seed, servers, observers });
  const { seed: _seed, violations: _violations, syncs, ...counts } = r;
  add(counts);
  add(syncs);
  if (r.violations.length > 0) {
    failed.push(seed);
    console.log(`seed ${seed}: ${r.violations.join('\n  ')}`);
  } else if (values.verbose) {
    console.log(`seed ${seed}: ok`, r);
  }
  if (process.stdout.isTTY) {
    process.stdout.write(`\r${seed - from + 1}/${seeds} seeds, ${failed.length} failed`);
  }
}
if (process.stdout.isTTY) process.stdout.write('\n');
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `${seeds} seeds of ${servers} voters and ${observers} observers in ${seconds} s:`,
  totals,
);
console.log(failed.length === 0 ? 'no violation' : `failed seeds: ${failed.join(' ')}`);
process.exitCode = failed.length === 0 ? 0 : 1;
