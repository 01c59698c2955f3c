/**
 * Properties of the jute records (src/protocol/zookeeper/records.ts) and the primitives under
 * them (jute.ts), for every record schema the module exports:
 *
 *   - write-then-read is the identity for random values of the schema (non-null vectors, as
 *     a null vector reads back as an empty one by design), and the read consumes every byte;
 *   - for arbitrary bytes, and for valid encodings with a few bytes corrupted, readRecord
 *     returns a record or throws JuteError, never a RangeError or anything else; the same
 *     holds for the ConnectRequest/ConnectResponse readers with their optional last byte.
 */
import t from 'tap';
import fc from 'fast-check';
import { JuteError, JuteReader, JuteWriter } from '../../../../src/protocol/zookeeper/jute.js';
import * as R from '../../../../src/protocol/zookeeper/records.js';
import { bytesArbitrary, containsValue } from '../../../fuzz/kafka-arbitrary.js';
import { applyMutations, mutations } from '../../../fuzz/byte-mutations.js';

const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

const schemas = Object.entries(R as Record<string, unknown>).filter(
  (entry): entry is [string, R.Schema] => Array.isArray(entry[1]),
);

function fieldArbitrary(type: R.FieldType): fc.Arbitrary<unknown> {
  if (typeof type === 'string') {
    switch (type) {
      case 'int':
        return fc.integer({ min: -0x80000000, max: 0x7fffffff });
      case 'long':
        return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
      case 'boolean':
        return fc.boolean();
      case 'buffer':
        return fc.option(bytesArbitrary(0, 12), { nil: null, freq: 4 });
      case 'ustring':
        return fc.string({ unit: 'binary', maxLength: 8 });
      case 'nullableUstring':
        return fc.option(fc.string({ unit: 'binary', maxLength: 8 }), { nil: null, freq: 4 });
    }
  }
  if ('vector' in type) return fc.array(fieldArbitrary(type.vector), { maxLength: 3 });
  return recordArbitrary(type.record);
}

function recordArbitrary(schema: R.Schema): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(schema.map(([name, type]) => [name, fieldArbitrary(type)])));
}

function encode(schema: R.Schema, value: Record<string, unknown>): Buffer {
  const writer = new JuteWriter(8);
  R.writeRecord(writer, schema, value as never);
  return writer.toBuffer();
}

function readsOrRefuses(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch (err) {
    if (err instanceof JuteError) return true;
    throw err;
  }
}

const equal = (a: unknown, b: unknown) => containsValue(a, b) && containsValue(b, a);

t.test('every record schema round-trips', async (t) => {
  for (const [name, schema] of schemas) {
    fc.assert(
      fc.property(recordArbitrary(schema), (value) => {
        const reader = new JuteReader(encode(schema, value));
        return equal(value, R.readRecord(reader, schema)) && reader.remaining === 0;
      }),
      { numRuns: 100, seed },
    );
    t.pass(`${name} round-trips`);
  }
  t.ok(schemas.length >= 30, `${schemas.length} schemas checked`);
});

t.test('arbitrary and corrupted bytes give a record or a JuteError', async (t) => {
  for (const [name, schema] of schemas) {
    fc.assert(
      fc.property(bytesArbitrary(0, 80), (bytes) =>
        readsOrRefuses(() => R.readRecord(new JuteReader(bytes), schema)),
      ),
      { numRuns: 100, seed },
    );
    fc.assert(
      fc.property(recordArbitrary(schema), mutations, (value, list) => {
        const bytes = applyMutations(encode(schema, value), list);
        return readsOrRefuses(() => R.readRecord(new JuteReader(bytes), schema));
      }),
      { numRuns: 100, seed },
    );
    t.pass(`${name} refuses bad bytes with JuteError`);
  }
});

t.test('the handshake records with their optional readOnly byte', async (t) => {
  const connect = fc.record({
    ...Object.fromEntries(R.ConnectRequestBase.map(([n, type]) => [n, fieldArbitrary(type)])),
    readOnly: fc.option(fc.boolean(), { nil: undefined }),
  }) as fc.Arbitrary<R.ConnectRequestRecord>;
  fc.assert(
    fc.property(connect, (value) => {
      const writer = new JuteWriter();
      R.writeConnectRequest(writer, value);
      const reader = new JuteReader(writer.toBuffer());
      return equal(value, R.readConnectRequest(reader));
    }),
    { numRuns: 300, seed },
  );
  fc.assert(
    fc.property(bytesArbitrary(0, 60), (bytes) =>
      readsOrRefuses(() => {
        R.readConnectRequest(new JuteReader(bytes));
        R.readConnectResponse(new JuteReader(bytes));
      }),
    ),
    { numRuns: 2000, seed },
  );
  t.pass('ConnectRequest round-trips and refuses bad bytes with JuteError');
});
