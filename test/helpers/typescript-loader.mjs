/**
 * The loader of the test processes: lets Node run the TypeScript of test/ and of the sources it
 * imports, and nothing else. tap starts every test file with it (package.json's tap
 * `node-arg`); `node --import=./test/helpers/typescript-loader.mjs test/X.test.ts` runs one by
 * hand (so does `node --import=tsx test/X.test.ts`).
 *
 * Why not tsx, which did this until now: tsx's hooks see every module a process loads, tap's
 * few hundred included, and they cost a test process about 0.2-0.3 s of CPU more than these
 * (a small test file started as tap starts it: 0.84 s of CPU with tsx, 0.65 s with this loader,
 * 0.58 s for its tsc output without any loader; a file importing test/helpers/cluster.ts and
 * broker/server/kafka-apis.ts: 1.70 s with tsx, 1.40 s with this), on each of some two hundred
 * test files. The transform is tsx's own, esbuild's (tsx depends on it), with the options
 * tsconfig.json implies, so the code that runs is the same.
 *
 * The hooks themselves are in typescript-loader-hooks.mjs (Node runs them on a thread of their
 * own); this module only registers them.
 */
import { register } from 'node:module';

register('./typescript-loader-hooks.mjs', import.meta.url);
