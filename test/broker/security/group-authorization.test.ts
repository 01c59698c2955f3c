import t from 'tap';
import { authorizeApi } from '../../../broker/security/api-authorization.js';
import { apiHandler, type ConnectionInfo } from '../../../broker/network/api-handler-table.js';
import { ApiKey } from '../../../src/protocol/kafka/api-keys.js';
import { ErrorCode } from '../../../src/protocol/kafka/errors.js';
import { newConnectionSession } from '../../../broker/security/session.js';
import type { DecodedRequest } from '../../../src/protocol/kafka/codec.js';

const session = newConnectionSession({
  listenerName: 'SASL_PLAINTEXT',
  securityProtocol: 'SASL_PLAINTEXT',
  principal: 'User:alice',
  clientHost: '127.0.0.1',
  authenticated: true,
});
const connection: ConnectionInfo = { connectionId: 1, remoteAddress: '127.0.0.1:1', session };

t.test('group APIs are refused with GROUP_AUTHORIZATION_FAILED without access', async (t) => {
  let served = 0;
  const heartbeat = apiHandler(ApiKey.Heartbeat, { minVersion: 0, maxVersion: 4 }, () => {
    served++;
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE };
  });
  const asked: string[] = [];
  const guarded = authorizeApi(heartbeat, (s, operation, type, name) => {
    asked.push(`${s.principal} ${operation} ${type}:${name}`);
    return name === 'allowed';
  });
  const request = (groupId: string) =>
    ({
      apiKey: ApiKey.Heartbeat,
      apiVersion: 4,
      correlationId: 1,
      clientId: 'c',
      body: { groupId, generationId: 1, memberId: 'm', groupInstanceId: null },
      trailingBytes: 0,
    }) as DecodedRequest;
  const handle = guarded.handle as (r: DecodedRequest, c: ConnectionInfo) => unknown;
  t.match(await handle(request('denied'), connection), {
    errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  });
  t.equal(served, 0, 'the group coordinator never saw the denied request');
  t.match(await handle(request('allowed'), connection), { errorCode: ErrorCode.NONE });
  t.equal(served, 1);
  t.same(asked, ['User:alice Read Group:denied', 'User:alice Read Group:allowed']);
});

t.test('TxnOffsetCommit needs WRITE on its transactional id, then READ on the group', async (t) => {
  let served = 0;
  const row = apiHandler(ApiKey.TxnOffsetCommit, { minVersion: 0, maxVersion: 3 }, () => {
    served++;
    return { throttleTimeMs: 0, topics: [] };
  });
  const guarded = authorizeApi(row, (_s, operation, type, name) => {
    if (type === 'TransactionalId') return operation === 'Write' && name === 'tx-ok';
    if (type === 'Group') return operation === 'Read' && name === 'g-ok';
    return true; // READ on the topics it commits for
  });
  const request = (transactionalId: string, groupId: string) =>
    ({
      apiKey: ApiKey.TxnOffsetCommit,
      apiVersion: 3,
      correlationId: 1,
      clientId: 'c',
      body: {
        transactionalId,
        groupId,
        producerId: 1n,
        producerEpoch: 0,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'in', partitions: [{ partitionIndex: 0, committedOffset: 1n }] }],
      },
      trailingBytes: 0,
    }) as unknown as DecodedRequest;
  const handle = guarded.handle as (r: DecodedRequest, c: ConnectionInfo) => unknown;
  t.match(await handle(request('tx-no', 'g-ok'), connection), {
    topics: [{ partitions: [{ errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED }] }],
  });
  t.match(await handle(request('tx-ok', 'g-no'), connection), {
    topics: [{ partitions: [{ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }] }],
  });
  t.equal(served, 0);
  await handle(request('tx-ok', 'g-ok'), connection);
  t.equal(served, 1);
});
