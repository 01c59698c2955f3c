/**
 * The committed codecs in src/protocol/kafka/generated/ are what the generator makes from
 * Kafka's message schemas today: regenerate into a temporary directory and compare file by
 * file. The schemas live beside the repository (../shared/reference/kafka/messages, or the
 * directory in SAMSA_KAFKA_MESSAGES_DIR); when they are absent the test says so and checks
 * nothing else, except under CI=true, where they are always present and their absence fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ROOT } from '../helpers/processes.js';

const run = promisify(execFile);
const messagesDir = resolve(
  process.env.SAMSA_KAFKA_MESSAGES_DIR ?? join(ROOT, '../shared/reference/kafka/messages'),
);
const committedDir = join(ROOT, 'src/protocol/kafka/generated');

if (!existsSync(messagesDir)) {
  if (process.env.CI === 'true') t.fail(`Kafka's message schemas are missing: ${messagesDir}`);
  else t.comment(`no Kafka message schemas at ${messagesDir}: generated codecs not checked`);
} else {
  t.test('the committed generated codecs match a fresh generation', async (t) => {
    const outDir = join(t.testdir(), 'generated');
    await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/generate-kafka-protocol.ts', messagesDir, '--out', outDir],
      { cwd: ROOT },
    );
    const fresh = readdirSync(outDir).sort();
    t.same(readdirSync(committedDir).sort(), fresh, 'the same files');
    for (const file of fresh) {
      const same =
        readFileSync(join(outDir, file), 'utf8') === readFileSync(join(committedDir, file), 'utf8');
      t.ok(
        same,
        `${file} is current (rebuild: node --import=tsx scripts/generate-kafka-protocol.ts)`,
      );
    }
  });
}
