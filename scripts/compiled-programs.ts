/**
 * Whether dist/ (what `npm run build` writes) holds a current build of the TypeScript sources:
 * every `X.ts` under the program directories has a `dist/X.js` written at or after the source's
 * last change. `npm start` and the integration tests run the compiled programs only then; after
 * an edit without a build they run the sources through tsx, so nobody runs yesterday's code.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The directories whose TypeScript a daemon or a command-line program may load. */
export const SOURCE_DIRS = ['src', 'broker', 'coordinator', 'scripts'] as const;

/** True when dist/ under `root` is at least as new as every source file (see above). */
export function compiledProgramsAreCurrent(root: string): boolean {
  const current = (dir: string): boolean => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!current(path)) return false;
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const built = join(root, 'dist', path.replace(/\.ts$/, '.js'));
        if (!existsSync(built)) return false;
        if (statSync(built).mtimeMs < statSync(join(root, path)).mtimeMs) return false;
      }
    }
    return true;
  };
  return SOURCE_DIRS.every((dir) => !existsSync(join(root, dir)) || current(dir));
}
