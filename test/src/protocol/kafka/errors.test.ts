import t from 'tap';
import {
  ErrorCode,
  KAFKA_ERRORS,
  KafkaError,
  errorCodeOf,
  errorForCode,
  errorForName,
  isKnownErrorCode,
} from '../../../../src/protocol/kafka/errors.js';

t.test('the table is ordered, unique and uses Kafka names', async (t) => {
  const codes = KAFKA_ERRORS.map((e) => e.code);
  t.same(
    codes,
    [...codes].sort((a, b) => a - b),
    'sorted by code',
  );
  t.equal(new Set(codes).size, codes.length, 'codes unique');
  t.equal(new Set(KAFKA_ERRORS.map((e) => e.name)).size, codes.length, 'names unique');
  for (const e of KAFKA_ERRORS) {
    t.match(e.name, /^[A-Z_]+$/);
    t.ok(e.message.length > 0);
  }
  t.equal(KAFKA_ERRORS.length, 62 + 26, 'codes -1..60 and 68..93');
});

t.test('lookups both ways', async (t) => {
  t.equal(ErrorCode.NOT_LEADER_OR_FOLLOWER, 6);
  t.equal(ErrorCode.UNSUPPORTED_VERSION, 35);
  t.equal(ErrorCode.MEMBER_ID_REQUIRED, 79);
  t.equal(errorForCode(6).name, 'NOT_LEADER_OR_FOLLOWER');
  t.equal(errorForCode(6).retriable, true);
  t.equal(errorForCode(22).retriable, false, 'ILLEGAL_GENERATION is not retriable');
  t.equal(errorForName('CORRUPT_MESSAGE')?.code, 2);
  t.equal(errorForName('NO_SUCH_THING'), undefined);
  t.equal(errorForCode(12345).name, 'UNKNOWN_SERVER_ERROR', 'unknown codes map to -1');
  t.equal(isKnownErrorCode(12345), false);
  t.equal(isKnownErrorCode(0), true);
});

t.test('errorCodeOf: the boundary function', async (t) => {
  t.equal(errorCodeOf(new KafkaError('TOPIC_ALREADY_EXISTS')), 36);
  const err = new KafkaError('NOT_COORDINATOR', 'group g moved');
  t.equal(err.message, 'group g moved');
  t.equal(err.retriable, true);
  t.equal(errorCodeOf(new Error('boom')), -1);
  t.equal(errorCodeOf('not even an error'), -1);
});
