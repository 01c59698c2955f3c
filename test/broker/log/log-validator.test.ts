import t from 'tap';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import {
  CRC_POSITION,
  RECORDS_POSITION,
  buildRecordBatch,
  decodeRecords,
  readBatches,
} from '../../../src/protocol/kafka/record-batch.js';
import { logConfig } from '../../../broker/log/log-config.js';
import { validateRecords } from '../../../broker/log/log-validator.js';
import { applyIncrementalOps, prepareBrokerChange } from '../../../broker/server/alter-configs.js';

const NOW = 1_700_000_000_000;
const AT_NOW = { nowMs: NOW, partition: 'orders-0' };
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
    const kept = validateRecords(records, batches, logConfig(), AT_NOW);
    t.ok(kept.ok && !kept.recompressed && kept.records === records, `producer: ${codec} kept`);
    const result = validateRecords(records, batches, logConfig({ compressionType: codec }), AT_NOW);
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
      AT_NOW,
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
      AT_NOW,
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
      AT_NOW,
    );
    t.equal(old.ok ? 'ok' : old.error.error, 'INVALID_TIMESTAMP');
  },
);

t.test('a compacted topic refuses keyless records, naming each, in every codec', async (t) => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    for (const policy of [['compact'], ['compact', 'delete']] as const) {
      const { records, batches } = batchOf(codec); // record 0 has key k1, record 1 none
      const result = validateRecords(
        records,
        batches,
        logConfig({ cleanupPolicy: policy }),
        AT_NOW,
      );
      if (result.ok) {
        t.fail(`${codec} ${policy.join(',')}: accepted`);
        continue;
      }
      t.equal(result.error.errorCode, ErrorCode.INVALID_RECORD, `${codec}: INVALID_RECORD`);
      t.equal(result.error.message, 'One or more records have been rejected');
      t.same(
        'recordErrors' in result.error ? result.error.recordErrors : undefined,
        [
          {
            batchIndex: 1,
            message:
              'Compacted topic cannot accept message without key in topic partition orders-0.',
          },
        ],
        `${codec} ${policy.join(',')}: record 1 named`,
      );
    }
    // Every record keyed: accepted; cleanup.policy=delete accepts keyless records.
    const keyed = buildRecordBatch({
      records: [
        { key: 'a', value: '1' },
        { key: 'b', value: null },
      ],
      compression: codec,
    });
    const compact = logConfig({ cleanupPolicy: ['compact'] });
    t.ok(validateRecords(keyed, readBatches(keyed).batches, compact, AT_NOW).ok, 'keyed ok');
    const { records, batches } = batchOf(codec);
    t.ok(validateRecords(records, batches, logConfig(), AT_NOW).ok, `${codec}: delete ok`);
  }
});

t.test('a compacted topic answers records that do not parse with CORRUPT_MESSAGE', async (t) => {
  // A valid CRC over records whose length varint runs past the batch.
  const records = buildRecordBatch({ records: [{ key: 'k', value: 'v' }] });
  records.writeInt8(0x7e, RECORDS_POSITION); // record length 63: more than the batch holds
  const batch = readBatches(records).batches[0]!;
  records.writeUInt32BE(batch.computeCrc(), CRC_POSITION);
  const result = validateRecords(
    records,
    [batch],
    logConfig({ cleanupPolicy: ['compact'] }),
    AT_NOW,
  );
  t.equal(result.ok ? 'ok' : result.error.error, 'CORRUPT_MESSAGE');
  // A gzip batch whose records section is not gzip.
  const gzipped = buildRecordBatch({ records: [{ key: 'k', value: 'v' }], compression: 'gzip' });
  gzipped.fill(0, RECORDS_POSITION);
  const bad = readBatches(gzipped).batches[0]!;
  gzipped.writeUInt32BE(bad.computeCrc(), CRC_POSITION);
  const inflated = validateRecords(
    gzipped,
    [bad],
    logConfig({ cleanupPolicy: ['compact'] }),
    AT_NOW,
  );
  t.equal(inflated.ok ? 'ok' : inflated.error.error, 'CORRUPT_MESSAGE');
});

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
  t.match(prepareBrokerChange({ 'log.segment.bytez': '4' }, 'default'), {
    errorMessage: /did you mean log.segment.bytes/,
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
