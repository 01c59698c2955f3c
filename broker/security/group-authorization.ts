/**
 * The authorizer's hook on the group APIs: Kafka checks READ on the group for JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup, OffsetCommit and OffsetDelete, DESCRIBE for OffsetFetch,
 * FindCoordinator and DescribeGroups, DELETE for DeleteGroups, answering
 * GROUP_AUTHORIZATION_FAILED. The rows of the handler table are wrapped; a denied request
 * gets that error in every error field (error-response.ts), without reaching the group
 * coordinator.
 *
 * Not done here: OffsetCommit's per-topic READ check, OffsetFetch v8's per-group answers
 * (a batch with one denied group is refused as a whole), ListGroups' filtering.
 */
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { DecodedRequest } from '../../src/protocol/kafka/codec.js';
import { errorResponse } from '../../src/protocol/kafka/error-response.js';
import { ErrorCode } from '../../src/protocol/kafka/errors.js';
import type { Operation } from '../../src/security/acl.js';
import type { AnyApiHandler, ConnectionInfo } from '../network/api-handler-table.js';
import type { AuthorizationCheck } from './acl-cache.js';

/** The groups a request names and the operation Kafka checks on them. */
function groupsOf(request: DecodedRequest): { operation: Operation; groups: string[] } | undefined {
  const body = request.body as { groupId?: string; groups?: unknown; groupsNames?: string[] };
  switch (request.apiKey) {
    case ApiKey.JoinGroup:
    case ApiKey.SyncGroup:
    case ApiKey.Heartbeat:
    case ApiKey.LeaveGroup:
    case ApiKey.OffsetCommit:
    case ApiKey.OffsetDelete:
    case ApiKey.TxnOffsetCommit:
      return { operation: 'Read', groups: [body.groupId ?? ''] };
    case ApiKey.OffsetFetch:
      if (request.apiVersion >= 8) {
        const groups = (body.groups as { groupId: string }[]).map((g) => g.groupId);
        return { operation: 'Describe', groups };
      }
      return { operation: 'Describe', groups: [body.groupId ?? ''] };
    case ApiKey.FindCoordinator: {
      // Key type 0 is a group (1, transactional ids, is answered by the group APIs anyway).
      const f = request.body as { key: string; keyType: number; coordinatorKeys: string[] };
      if (request.apiVersion >= 1 && f.keyType !== 0) return undefined;
      return {
        operation: 'Describe',
        groups: request.apiVersion >= 4 ? f.coordinatorKeys : [f.key],
      };
    }
    case ApiKey.DescribeGroups:
      return { operation: 'Describe', groups: body.groups as string[] };
    case ApiKey.DeleteGroups:
      return { operation: 'Delete', groups: body.groupsNames ?? [] };
    default:
      return undefined;
  }
}

/** Wraps the group APIs' rows with the check. */
export function authorizeGroupApis(
  handlers: readonly AnyApiHandler[],
  check: AuthorizationCheck,
): AnyApiHandler[] {
  return handlers.map((row) => {
    const handle = row.handle as (r: DecodedRequest, c: ConnectionInfo) => unknown;
    const guarded = (request: DecodedRequest, connection: ConnectionInfo): unknown => {
      // TxnOffsetCommit writes into a transaction: WRITE on its transactional id first, as
      // Kafka 2.8 checks it (then READ on the group, below).
      if (
        request.apiKey === ApiKey.TxnOffsetCommit &&
        !check(connection.session, 'Write', 'TransactionalId', request.body.transactionalId)
      ) {
        return errorResponse(request, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      }
      const wanted = groupsOf(request);
      const denied =
        wanted !== undefined &&
        wanted.groups.some((g) => !check(connection.session, wanted.operation, 'Group', g));
      if (denied) return errorResponse(request, ErrorCode.GROUP_AUTHORIZATION_FAILED);
      return handle(request, connection);
    };
    return { ...row, handle: guarded } as AnyApiHandler;
  });
}
