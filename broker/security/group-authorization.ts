/**
 * The authorizer's hook on the group APIs: Kafka checks READ on the group for JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup and OffsetCommit, DESCRIBE for OffsetFetch,
 * FindCoordinator and DescribeGroups, DELETE for DeleteGroups and OffsetDelete, answering
 * GROUP_AUTHORIZATION_FAILED. api-authorization.ts wraps the rows of the handler table with
 * this check; a denied request gets that error in every error field (error-response.ts),
 * without reaching the group coordinator.
 *
 * The checks on the topics these requests name (OffsetCommit's READ) and ListGroups' filtering
 * are in api-authorization.ts, after this check; so are the per-group answers of the batched
 * OffsetFetch v8 and FindCoordinator v4 (which do not use `groupsOf`).
 */
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { DecodedRequest } from '../../src/protocol/kafka/codec.js';
import type { Operation } from '../../src/security/acl.js';

/** The groups a request names and the operation Kafka checks on them (none: not a group API). */
export function groupsOf(
  request: DecodedRequest,
): { operation: Operation; groups: string[] } | undefined {
  const body = request.body as { groupId?: string; groups?: unknown; groupsNames?: string[] };
  switch (request.apiKey) {
    case ApiKey.JoinGroup:
    case ApiKey.SyncGroup:
    case ApiKey.Heartbeat:
    case ApiKey.LeaveGroup:
    case ApiKey.OffsetCommit:
    case ApiKey.TxnOffsetCommit:
      return { operation: 'Read', groups: [body.groupId ?? ''] };
    case ApiKey.OffsetDelete:
      return { operation: 'Delete', groups: [body.groupId ?? ''] };
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
