/**
 * Is this module the program being run? True when `node file.js` (or an npm bin symlink
 * pointing at it, or tsx running the .ts source) started this very file, so a module can
 * both export its functions and act as a command.
 *
 *   if (isEntryPoint(import.meta.url)) main();
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}
