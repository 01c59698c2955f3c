/**
 * AlterConfigs' pure decisions (broker/server/alter-configs.ts) where Kafka 2.8 treats topic
 * and broker entities differently: a topic refuses a name it does not know, a broker stores it.
 */
import t from 'tap';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import {
  customBrokerKeys,
  prepareBrokerChange,
  prepareTopicChange,
} from '../../../broker/server/alter-configs.js';

t.test('a broker entity accepts config names it does not know (custom configs)', async (t) => {
  // kafkajs's admin suite sets cleanup.policy (a topic config) on a broker and expects NONE,
  // as DynamicConfig.Broker.validate(customPropsAllowed = true) gives in Kafka 2.8.
  const change = { 'cleanup.policy': 'delete', 'log.segment.bytez': '4' };
  t.same(prepareBrokerChange(change, 'own'), { ok: true, config: change });
  t.same(prepareBrokerChange(change, 'default'), { ok: true, config: change });
  t.match(customBrokerKeys({ ...change, 'log.segment.bytes': '4096' }), [
    /unknown property cleanup.policy/,
    /log.segment.bytez \(did you mean log.segment.bytes\?\)/,
  ]);
  t.same(customBrokerKeys({ 'log.segment.bytes': '4096' }), []);
});

t.test('known broker names are still checked', async (t) => {
  t.match(prepareBrokerChange({ 'cleanup.policy': 'delete', 'log.segment.bytes': '4' }, 'own'), {
    ok: false,
    errorCode: ErrorCode.INVALID_CONFIG,
  });
});

t.test('a topic refuses a config name it does not know', async (t) => {
  t.match(prepareTopicChange({ 'retention.msec': '5' }), {
    ok: false,
    errorCode: ErrorCode.INVALID_CONFIG,
    errorMessage: /did you mean retention.ms/,
  });
});
