/**
 * The commands package.json names as `bin` (what `npx coordinator`, `npx broker` and
 * `npx samsa` run, as the README shows) are executable files in dist/: tsc writes its output
 * without the execute bit, so `npm run build` (which `npm install` runs as `prepare`) sets it.
 * Without it, `npx coordinator ...` answers "Permission denied" on a fresh clone.
 */
import t from 'tap';
import { accessSync, constants, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/processes.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};

for (const [name, path] of Object.entries(pkg.bin)) {
  t.test(`${name}: ${path}`, async (t) => {
    const file = join(ROOT, path);
    t.doesNotThrow(() => accessSync(file, constants.X_OK), 'executable (npm run build)');
    t.match(readFileSync(file, 'utf8'), /^#!\/usr\/bin\/env node\n/, 'starts with its shebang');
    const help = execFileSync(file, ['--help'], { encoding: 'utf8' });
    t.match(help, /Usage:/, 'runs as a command');
  });
}
