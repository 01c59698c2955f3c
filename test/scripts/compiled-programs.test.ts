/**
 * scripts/compiled-programs.ts and samsa's commandFor: the compiled programs run only when
 * dist/ is at least as new as every source; a stale or missing build runs the sources.
 */
import t, { type Test } from 'tap';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compiledProgramsAreCurrent } from '../../scripts/compiled-programs.js';

function tree(t: Test): string {
  const root = t.testdir({
    src: { 'a.ts': 'export {}', 'types.d.ts': '' },
    coordinator: { cli: { 'main.ts': 'export {}' } },
    dist: { src: { 'a.js': '' }, coordinator: { cli: { 'main.js': '' } } },
  });
  const old = new Date(Date.now() - 60_000);
  for (const source of ['src/a.ts', 'coordinator/cli/main.ts'])
    utimesSync(join(root, source), old, old);
  return root;
}

t.test('a build newer than every source is current; .d.ts files need no build', async (t) => {
  t.equal(compiledProgramsAreCurrent(tree(t)), true);
});

t.test('a source edited after the build makes dist/ stale', async (t) => {
  const root = tree(t);
  const now = new Date(Date.now() + 1000);
  utimesSync(join(root, 'coordinator/cli/main.ts'), now, now);
  t.equal(compiledProgramsAreCurrent(root), false);
});

t.test('a source without a compiled file makes dist/ stale', async (t) => {
  const root = tree(t);
  mkdirSync(join(root, 'broker'));
  writeFileSync(join(root, 'broker', 'cli.ts'), 'export {}');
  t.equal(compiledProgramsAreCurrent(root), false);
});
