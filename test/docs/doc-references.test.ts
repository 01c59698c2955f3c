/**
 * Keeps the docs true to the tree: every repository path a doc names in backticks exists (a
 * moved or deleted module fails here, not in a reader's hands), and no comment or doc cites
 * notes that are not in the repository.
 */
import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../helpers/processes.js';

const TOP_DIRS = ['src', 'broker', 'coordinator', 'scripts', 'test', 'docs'];

function docs(): string[] {
  return [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
}

/** Every file under `dir` (repository-relative), skipping generated and installed trees. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

t.test('every path a doc names in backticks exists', async (t) => {
  const pathPattern = new RegExp(`\`((?:${TOP_DIRS.join('|')})/[A-Za-z0-9_./*-]*)\``, 'g');
  for (const doc of docs()) {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    for (const [, path] of text.matchAll(pathPattern)) {
      // `coordinator/cli/*.ts` names a directory's files: the directory must exist.
      const target = path!.includes('*') ? dirname(path!) : path!;
      t.ok(existsSync(join(ROOT, target)), `${doc} names ${path}`);
    }
  }
});

t.test('no comment or doc cites NOTES.md, which is not in the repository', async (t) => {
  const files = [
    ...docs(),
    ...['src', 'broker', 'coordinator', 'scripts'].flatMap((dir) => filesUnder(dir)),
  ].filter((path) => statSync(join(ROOT, path)).size < 1_000_000);
  t.ok(files.length > 50, `${files.length} files read`);
  const citing = files.filter((path) =>
    readFileSync(join(ROOT, path), 'utf8').includes('NOTES.md'),
  );
  t.same(citing, [], 'none cites it');
});
