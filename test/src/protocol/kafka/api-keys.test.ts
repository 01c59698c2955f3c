import t from 'tap';
import {
  API_VERSION_RANGES,
  ApiKey,
  recommendedRange,
} from '../../../../src/protocol/kafka/api-keys.js';
import { MESSAGE_SCHEMAS } from '../../../../src/protocol/kafka/generated/index.js';
import { parseVersionRange } from '../../../../src/protocol/kafka/schema.js';

t.test('every recommended range is inside the schema versions the codec knows', async (t) => {
  for (const api of API_VERSION_RANGES) {
    const schemas = (MESSAGE_SCHEMAS as Record<number, (typeof MESSAGE_SCHEMAS)[0]>)[api.apiKey];
    if (!schemas) {
      t.fail(`no schema for ${api.name}`);
      continue;
    }
    const valid = parseVersionRange(schemas.request.validVersions);
    t.ok(api.minVersion >= valid.min && api.maxVersion <= valid.max, api.name);
    t.ok(api.minVersion <= api.maxVersion);
    t.equal(schemas.request.name, `${api.name}Request`, 'name matches the schema');
  }
});

t.test('the minimums librdkafka features depend on', async (t) => {
  const min = (key: number) => recommendedRange(key).minVersion;
  for (const key of [
    ApiKey.FindCoordinator,
    ApiKey.JoinGroup,
    ApiKey.SyncGroup,
    ApiKey.Heartbeat,
    ApiKey.LeaveGroup,
    ApiKey.ApiVersions,
    ApiKey.InitProducerId,
    ApiKey.SaslAuthenticate,
    ApiKey.ListOffsets,
  ]) {
    t.equal(min(key), 0, `API ${key} starts at 0`);
  }
  // Produce 0: librdkafka compresses gzip, snappy and lz4 only if Produce 0..0 is in range.
  t.equal(min(ApiKey.Produce), 0, 'Produce starts at 0');
  t.ok(min(ApiKey.Fetch) <= 4);
  t.ok(min(ApiKey.OffsetFetch) <= 1);
  // kafka-python guesses the release from the highest versions (Produce 8 means 2.4, DescribeAcls
  // 2 means 2.5) and then sends at most Produce 7 and Fetch 10, which are served.
  t.equal(recommendedRange(ApiKey.Produce).maxVersion, 8, 'Produce 8: record_errors');
  t.throws(() => recommendedRange(ApiKey.LeaderAndIsr), 'inter-broker APIs have no client range');
});
