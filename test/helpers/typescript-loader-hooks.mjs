/**
 * Module hooks for TypeScript (registered by typescript-loader.mjs, which says why).
 *
 * resolve: the sources import each other as `./x.js`, as tsc wants, but only `x.ts` exists
 * outside dist/. A relative `.js` specifier from a `.ts` module whose `.ts` twin exists is that
 * twin; everything else (packages, node:, real .js files) goes to Node's own resolution.
 *
 * load: a `.ts` file is transformed by esbuild to an ES module with an inline source map
 * (tap starts test processes with --enable-source-maps, so stack traces and tap's `at:` name
 * the TypeScript lines). Type-only imports disappear as under tsc. useDefineForClassFields
 * follows tsconfig.json's target ES2022, as tsc does.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, URL } from 'node:url';
import { transform } from 'esbuild';

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (
    parent !== undefined &&
    parent.startsWith('file:') &&
    parent.endsWith('.ts') &&
    specifier.startsWith('.') &&
    specifier.endsWith('.js')
  ) {
    const twin = new URL(`${specifier.slice(0, -'.js'.length)}.ts`, parent);
    if (existsSync(fileURLToPath(twin)))
      return { url: twin.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const { code } = await transform(await readFile(path, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: path,
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
  });
  return { format: 'module', source: code, shortCircuit: true };
}
