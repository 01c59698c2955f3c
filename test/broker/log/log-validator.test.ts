import t from 'tap';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import {
  buildRecordBatch,
  decodeRecords,
  readBatches,
} from '../../../src/protocol/kafka/record-batch.js';
import { logConfig } from '../../../broker/log/log-config.js';
import { validateRecords } from '../../../broker/log/log-validator.js';
import { applyIncrementalOps, prepareBrokerChange } from '../../../broker/server/alter-configs.js';

const NOW = 1_700_000_000_000;
const batchOf = (compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd', timestamp = NOW) => {
  const records = buildRecordBatch({
    records: [
      { key: 'k1', value: 'v1', timestamp, headers: [{ key: 'h', value: 'x' }] },
      { key: null, value: 'v2', timestamp: timestamp + 1 },
    ],
    compression,
    producerId: 7,
    producerEpoch: 1,
    baseSequence: 0,
  });
  return { records, batches: readBatches(records).batches };
};

t.test('producer keeps the codec; a topic codec recompresses, records unchanged', async (t) => {
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    const { records, batches } = batchOf('none');
    const kept = validateRecords(records, batches, logConfig(), NOW);
    t.ok(kept.ok && !kept.recompressed && kept.records === records, `producer: ${codec} kept`);
    const result = validateRecords(records, batches, logConfig({ compressionType: codec }), NOW);
    if (!result.ok) throw new Error(result.error.message);
    const batch = result.batches[0]!;
    t.equal(batch.compression, codec, `stored as ${codec}`);
    t.equal(batch.producerId, 7, 'producer id kept');
    t.equal(batch.computeCrc(), batch.crc, 'valid CRC');
    const decoded = decodeRecords(batch).map((r) => [r.key?.toString() ?? null, String(r.value)]);
    t.same(decoded, [
      ['k1', 'v1'],
      [null, 'v2'],
    ]);
    const back = validateRecords(
      result.records,
      result.batches,
      logConfig({ compressionType: 'uncompressed' }),
      NOW,
    );
    t.equal(back.ok && back.batches[0]!.compression, 'none', `${codec} -> uncompressed`);
  }
});

t.test(
  'LogAppendTime stamps the broker time; the difference limit refuses old batches',
  async (t) => {
    const { records, batches } = batchOf('gzip', 1000);
    const stamped = validateRecords(
      records,
      batches,
      logConfig({ messageTimestampType: 'LogAppendTime', compressionType: 'lz4' }),
      NOW,
    );
    t.ok(stamped.ok);
    const batch = stamped.ok ? stamped.batches[0]! : undefined;
    t.equal(batch?.timestampType, 'LogAppendTime');
    t.equal(batch?.maxTimestamp, NOW);
    t.equal(batch && decodeRecords(batch)[1]!.timestamp, NOW);
    const old = validateRecords(
      records,
      batches,
      logConfig({ messageTimestampDifferenceMaxMs: 60_000 }),
      NOW,
    );
    t.equal(old.ok ? 'ok' : old.error.error, 'INVALID_TIMESTAMP');
  },
);

t.test('IncrementalAlterConfigs operations and broker checks', async (t) => {
  const r = applyIncrementalOps(
    { 'retention.ms': '5', 'cleanup.policy': 'delete' },
    [
      { name: 'retention.ms', configOperation: 1, value: null },
      { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
      { name: 'segment.bytes', configOperation: 0, value: '2048' },
    ],
    'topics',
  );
  t.same(r, { ok: true, config: { 'cleanup.policy': 'delete,compact', 'segment.bytes': '2048' } });
  const sub = applyIncrementalOps(
    { 'cleanup.policy': 'delete,compact' },
    [{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }],
    'topics',
  );
  t.same(sub, { ok: true, config: { 'cleanup.policy': 'compact' } });
  const notList = applyIncrementalOps(
    {},
    [{ name: 'retention.ms', configOperation: 2, value: '1' }],
    'topics',
  );
  t.match(notList, { ok: false, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: /not a list/ });
  t.match(prepareBrokerChange({ 'log.dirs': '/x' }, 'own'), {
    ok: false,
    errorCode: ErrorCode.INVALID_REQUEST,
  });
  t.match(prepareBrokerChange({ 'num.io.threads': '4' }, 'own'), {
    ok: false,
    errorCode: ErrorCode.INVALID_CONFIG,
    errorMessage: /only reads it at start/,
  });
  t.match(prepareBrokerChange({ 'log.segment.bytes': '4' }, 'default'), {
    errorCode: ErrorCode.INVALID_CONFIG,
    errorMessage: /log.segment.bytes: 4 is less than the minimum 14/,
  });
  t.same(prepareBrokerChange({ 'log.segment.bytes': '4096' }, 'default'), {
    ok: true,
    config: { 'log.segment.bytes': '4096' },
  });
});
