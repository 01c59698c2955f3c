/**
 * librdkafka's transactional producer (confluent-kafka, Debian's python3-confluent-kafka;
 * test/helpers/confluent-transactions.py) against one in-process broker: init_transactions,
 * begin_transaction, send_offsets_to_transaction, commit_transaction and abort_transaction,
 * then a read_committed librdkafka consumer. Without confluent-kafka the test skips with a
 * message, except under CI=true.
 */
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { startBroker } from '../server/harness.js';

const PYTHON = '/usr/bin/python3';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const confluentAvailable = spawnSync(PYTHON, ['-c', 'import confluent_kafka']).status === 0;

if (!confluentAvailable) {
  if (process.env.CI === 'true') t.fail('python3-confluent-kafka is not installed');
  else t.comment('skipped: python3-confluent-kafka is not installed');
} else {
  t.test('confluent-kafka: init, begin, send_offsets, commit, abort', async (t) => {
    const broker = await startBroker(t);
    await broker.controller.createTopic('rd-txn', 1);
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [path.join(ROOT, 'test/helpers/confluent-transactions.py'), broker.bootstrap, 'rd-txn', 'rd'],
      { timeout: 120_000 },
    ).catch((err: Error & { stdout?: string }) => ({ stdout: err.stdout ?? err.message }));
    const lines = stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { step?: string; read?: string[]; committed?: number });
    t.same(
      lines.filter((l) => l.step !== undefined).map((l) => l.step),
      ['init_transactions', 'commit_transaction', 'abort_transaction', 'commit_transaction'],
      stdout,
    );
    const result = lines.find((l) => l.read !== undefined);
    t.same(result?.read, ['committed-0', 'committed-1', 'committed-2', 'end'], 'no aborted record');
    t.equal(result?.committed, 8, 'the group offset of the last committed transaction');
  });
}
