/**
 * Keeps tap's process recorder out of the processes a test file starts. Loaded in every
 * test process (package.json's tap `node-arg`, after test/helpers/typescript-loader.mjs).
 *
 * tap starts each test file with `--import=@tapjs/processinfo/...` and makes every process
 * that file spawns load it too: it puts the import into NODE_OPTIONS and, through the
 * `process-on-spawn` package, rewrites the environment of every spawn (even one that passes
 * its own `env`) to put it back. In each child it hooks every module load, records the file and
 * its line lengths, and writes a JSON record when the process exits: data for coverage and
 * `tap --changed`, which this project does not use (`disable-coverage`). It is also dear: a
 * broker's start-up from dist/ took 1.3 s of CPU with it instead of 0.42 s without it
 * (`broker start --help`, three runs each), and the suite starts hundreds of daemons, command-
 * line programs and client programs.
 *
 * So this module adds a spawn listener of its own, after tap's, that takes the import out of
 * each child's NODE_OPTIONS again (other NODE_OPTIONS stay). The test process itself keeps it:
 * tap reads that process's record. Outside tap (a test file run with `node --import=tsx`)
 * there is nothing to take out and this does nothing.
 */
import { createRequire } from 'node:module';

/** One NODE_OPTIONS entry that loads @tapjs/processinfo, quoted or not. */
const PROCESSINFO_OPTION = new RegExp(
  String.raw`(?:^|\s)"?--(?:import|loader|experimental-loader)[= ]` +
    String.raw`[^\s"]*@tapjs[/\\]processinfo[/\\][^\s"]*"?`,
  'g',
);

/** `nodeOptions` without the entries that load @tapjs/processinfo. */
export function withoutProcessinfo(nodeOptions: string): string {
  return nodeOptions.replace(PROCESSINFO_OPTION, '').trim();
}

interface SpawnOptions {
  env: Record<string, string | undefined>;
}
interface ProcessOnSpawn {
  addListener(listener: (options: SpawnOptions) => void): void;
}

if ((process.env.NODE_OPTIONS ?? '').includes('@tapjs/processinfo')) {
  // process-on-spawn keeps its listeners in one global registry, so the copy found from
  // processinfo's own directory is the one whose listeners run, whatever npm hoisted.
  const require = createRequire(import.meta.url);
  const processOnSpawn = createRequire(require.resolve('@tapjs/processinfo'))(
    'process-on-spawn',
  ) as ProcessOnSpawn;
  processOnSpawn.addListener((options) => {
    const nodeOptions = options.env.NODE_OPTIONS;
    if (nodeOptions === undefined) return;
    const { NODE_OPTIONS: _, ...env } = options.env;
    const kept = withoutProcessinfo(nodeOptions);
    options.env = kept === '' ? env : { ...env, NODE_OPTIONS: kept };
  });
}
