/**
 * Kafka's error codes: one table of code -> NAME, retriable, message, with lookups both ways.
 *
 * Every Kafka response carries int16 error codes, usually one per partition or per group, so
 * that one request can partly succeed. The names are spelled exactly as in Kafka's
 * `clients/src/main/java/org/apache/kafka/common/protocol/Errors.java` (3.8), so that they can
 * be searched for in upstream docs and client sources; the messages are ours. "Retriable"
 * follows Kafka: the client's exception class derives from RetriableException, and clients
 * retry those on their own, usually after refreshing metadata. Codes 61-67 (delegation tokens)
 * and 91+ are left out: nothing in a ZooKeeper-era broker without those features returns them.
 * PRODUCER_FENCED (90, KIP-588, Kafka 2.7) is kept: transaction coordinators return it.
 *
 * Handlers return codes as values (`{ partitionIndex, errorCode }`). For code that throws,
 * `KafkaError` carries a code, and `errorCodeOf(err)` is the boundary function that turns any
 * thrown value into a code; anything unexpected becomes UNKNOWN_SERVER_ERROR (-1), as Kafka's
 * `Errors.forException` does.
 */

export interface KafkaErrorInfo {
  readonly code: number;
  /** Kafka's enum name, e.g. `NOT_LEADER_OR_FOLLOWER`. */
  readonly name: string;
  /** Whether clients retry this error by themselves. */
  readonly retriable: boolean;
  readonly message: string;
}

function e(code: number, name: string, retriable: boolean, message: string): KafkaErrorInfo {
  return { code, name, retriable, message };
}

/** The table, in code order. */
export const KAFKA_ERRORS: readonly KafkaErrorInfo[] = [
  e(
    -1,
    'UNKNOWN_SERVER_ERROR',
    false,
    'The server hit an unexpected error while handling the request.',
  ),
  e(0, 'NONE', false, 'No error.'),
  e(
    1,
    'OFFSET_OUT_OF_RANGE',
    false,
    'The requested offset is outside the range of offsets the server holds for this partition.',
  ),
  e(
    2,
    'CORRUPT_MESSAGE',
    true,
    'A record failed its CRC check, is too short, or is otherwise corrupt.',
  ),
  e(3, 'UNKNOWN_TOPIC_OR_PARTITION', true, 'This server does not host this topic-partition.'),
  e(4, 'INVALID_FETCH_SIZE', false, 'The requested fetch size is invalid.'),
  e(
    5,
    'LEADER_NOT_AVAILABLE',
    true,
    'There is no leader for this topic-partition right now (for example during an election).',
  ),
  e(
    6,
    'NOT_LEADER_OR_FOLLOWER',
    true,
    'This server is not the leader (or, for follower fetches, a replica) of this partition.',
  ),
  e(7, 'REQUEST_TIMED_OUT', true, 'The request timed out.'),
  e(8, 'BROKER_NOT_AVAILABLE', false, 'The broker is not available.'),
  e(
    9,
    'REPLICA_NOT_AVAILABLE',
    true,
    'The replica is not available for the requested topic-partition.',
  ),
  e(
    10,
    'MESSAGE_TOO_LARGE',
    false,
    'The request included a record batch larger than the server accepts.',
  ),
  e(
    11,
    'STALE_CONTROLLER_EPOCH',
    false,
    'The controller epoch in the request is older than the one this broker knows.',
  ),
  e(
    12,
    'OFFSET_METADATA_TOO_LARGE',
    false,
    'The metadata attached to a committed offset is too large.',
  ),
  e(13, 'NETWORK_EXCEPTION', true, 'The server disconnected before a response was received.'),
  e(
    14,
    'COORDINATOR_LOAD_IN_PROGRESS',
    true,
    'The coordinator is still loading group or transaction state.',
  ),
  e(15, 'COORDINATOR_NOT_AVAILABLE', true, 'The coordinator is not available.'),
  e(
    16,
    'NOT_COORDINATOR',
    true,
    'This broker is not the coordinator for this group or transactional id.',
  ),
  e(
    17,
    'INVALID_TOPIC_EXCEPTION',
    false,
    'The topic name is invalid or the operation is not allowed on this topic.',
  ),
  e(18, 'RECORD_LIST_TOO_LARGE', false, 'The batch is larger than the maximum segment size.'),
  e(
    19,
    'NOT_ENOUGH_REPLICAS',
    true,
    'Fewer in-sync replicas than min.insync.replicas: the write was rejected.',
  ),
  e(
    20,
    'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
    true,
    'The write was appended, but the in-sync replicas fell below min.insync.replicas.',
  ),
  e(21, 'INVALID_REQUIRED_ACKS', false, 'Acks must be -1, 0 or 1.'),
  e(22, 'ILLEGAL_GENERATION', false, "The generation id is not the group's current generation."),
  e(
    23,
    'INCONSISTENT_GROUP_PROTOCOL',
    false,
    "The member's protocol type or protocols do not match the group's.",
  ),
  e(24, 'INVALID_GROUP_ID', false, 'The group id is empty or invalid.'),
  e(25, 'UNKNOWN_MEMBER_ID', false, 'The coordinator does not know this member id.'),
  e(
    26,
    'INVALID_SESSION_TIMEOUT',
    false,
    'The session timeout is outside the range the broker allows.',
  ),
  e(27, 'REBALANCE_IN_PROGRESS', false, 'The group is rebalancing: rejoin it.'),
  e(28, 'INVALID_COMMIT_OFFSET_SIZE', false, "The committed offset's metadata is invalid."),
  e(29, 'TOPIC_AUTHORIZATION_FAILED', false, 'Not authorized to access this topic.'),
  e(30, 'GROUP_AUTHORIZATION_FAILED', false, 'Not authorized to access this group.'),
  e(31, 'CLUSTER_AUTHORIZATION_FAILED', false, 'Not authorized for this cluster operation.'),
  e(32, 'INVALID_TIMESTAMP', false, "A record's timestamp is outside the allowed range."),
  e(
    33,
    'UNSUPPORTED_SASL_MECHANISM',
    false,
    'The broker does not support the requested SASL mechanism.',
  ),
  e(34, 'ILLEGAL_SASL_STATE', false, 'The request is not valid in the current SASL state.'),
  e(35, 'UNSUPPORTED_VERSION', false, 'The broker does not support this version of the API.'),
  e(36, 'TOPIC_ALREADY_EXISTS', false, 'A topic with this name already exists.'),
  e(37, 'INVALID_PARTITIONS', false, 'The number of partitions is invalid.'),
  e(
    38,
    'INVALID_REPLICATION_FACTOR',
    false,
    'The replication factor is invalid (for example larger than the number of brokers).',
  ),
  e(39, 'INVALID_REPLICA_ASSIGNMENT', false, 'The replica assignment is invalid.'),
  e(40, 'INVALID_CONFIG', false, 'The configuration is invalid.'),
  e(41, 'NOT_CONTROLLER', true, 'This broker is not the active controller.'),
  e(
    42,
    'INVALID_REQUEST',
    false,
    'The request is malformed or inconsistent; see the broker log for details.',
  ),
  e(
    43,
    'UNSUPPORTED_FOR_MESSAGE_FORMAT',
    false,
    'The message format of this topic does not support the request.',
  ),
  e(44, 'POLICY_VIOLATION', false, 'The request parameters violate the configured policy.'),
  e(
    45,
    'OUT_OF_ORDER_SEQUENCE_NUMBER',
    false,
    'The broker received an out-of-order sequence number from an idempotent producer.',
  ),
  e(
    46,
    'DUPLICATE_SEQUENCE_NUMBER',
    false,
    'The broker received a duplicate sequence number from an idempotent producer.',
  ),
  e(
    47,
    'INVALID_PRODUCER_EPOCH',
    false,
    "The producer's epoch is older than the current one: a newer producer took over.",
  ),
  e(
    48,
    'INVALID_TXN_STATE',
    false,
    "The producer attempted an operation that is invalid in the transaction's state.",
  ),
  e(
    49,
    'INVALID_PRODUCER_ID_MAPPING',
    false,
    'The producer id does not match the transactional id.',
  ),
  e(
    50,
    'INVALID_TRANSACTION_TIMEOUT',
    false,
    "The transaction timeout is larger than the broker's maximum.",
  ),
  e(
    51,
    'CONCURRENT_TRANSACTIONS',
    true,
    'Another operation on this transactional id is still in progress.',
  ),
  e(52, 'TRANSACTION_COORDINATOR_FENCED', false, 'A newer transaction coordinator has taken over.'),
  e(
    53,
    'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
    false,
    'Not authorized for this transactional id.',
  ),
  e(54, 'SECURITY_DISABLED', false, 'Security features are disabled.'),
  e(
    55,
    'OPERATION_NOT_ATTEMPTED',
    false,
    'The broker did not attempt this operation because another part of the request failed.',
  ),
  e(56, 'KAFKA_STORAGE_ERROR', true, 'The disk holding this replica failed or is offline.'),
  e(57, 'LOG_DIR_NOT_FOUND', false, 'The log directory does not exist.'),
  e(58, 'SASL_AUTHENTICATION_FAILED', false, 'SASL authentication failed.'),
  e(
    59,
    'UNKNOWN_PRODUCER_ID',
    false,
    'The broker has no state for this producer id (it may have expired).',
  ),
  e(60, 'REASSIGNMENT_IN_PROGRESS', false, 'A partition reassignment is in progress.'),
  e(68, 'NON_EMPTY_GROUP', false, 'The group still has members.'),
  e(69, 'GROUP_ID_NOT_FOUND', false, 'The group does not exist.'),
  e(70, 'FETCH_SESSION_ID_NOT_FOUND', true, 'The fetch session id was not found.'),
  e(71, 'INVALID_FETCH_SESSION_EPOCH', true, 'The fetch session epoch is invalid.'),
  e(72, 'LISTENER_NOT_FOUND', true, 'The leader has no endpoint for the listener of this request.'),
  e(
    73,
    'TOPIC_DELETION_DISABLED',
    false,
    'Topic deletion is disabled (delete.topic.enable=false).',
  ),
  e(74, 'FENCED_LEADER_EPOCH', true, "The leader epoch in the request is older than the broker's."),
  e(
    75,
    'UNKNOWN_LEADER_EPOCH',
    true,
    "The leader epoch in the request is newer than the broker's.",
  ),
  e(
    76,
    'UNSUPPORTED_COMPRESSION_TYPE',
    false,
    'The requesting client does not support the compression type of the data.',
  ),
  e(77, 'STALE_BROKER_EPOCH', false, 'The broker epoch in the request is stale.'),
  e(
    78,
    'OFFSET_NOT_AVAILABLE',
    true,
    "The offset is not available yet: the new leader's high watermark is still catching up.",
  ),
  e(
    79,
    'MEMBER_ID_REQUIRED',
    false,
    'The group member must join again with the member id given in this response.',
  ),
  e(80, 'PREFERRED_LEADER_NOT_AVAILABLE', true, 'The preferred leader is not available.'),
  e(81, 'GROUP_MAX_SIZE_REACHED', false, 'The group has reached its maximum size.'),
  e(
    82,
    'FENCED_INSTANCE_ID',
    false,
    'Another member with the same group.instance.id has taken over.',
  ),
  e(
    83,
    'ELIGIBLE_LEADERS_NOT_AVAILABLE',
    true,
    'No eligible leader replica is available for the partition.',
  ),
  e(84, 'ELECTION_NOT_NEEDED', true, 'The leader election is not needed.'),
  e(85, 'NO_REASSIGNMENT_IN_PROGRESS', false, 'No partition reassignment is in progress.'),
  e(
    86,
    'GROUP_SUBSCRIBED_TO_TOPIC',
    false,
    'The group is still subscribed to the topic, so its offsets cannot be deleted.',
  ),
  e(87, 'INVALID_RECORD', false, 'A record failed validation on the broker and was rejected.'),
  e(
    88,
    'UNSTABLE_OFFSET_COMMIT',
    true,
    'There are unstable offsets that must be committed or aborted first.',
  ),
  e(89, 'THROTTLING_QUOTA_EXCEEDED', true, 'The throttling quota was exceeded.'),
  e(
    90,
    'PRODUCER_FENCED',
    false,
    'A newer producer with the same transactional id has fenced this one (its epoch is old).',
  ),
  e(
    91,
    'RESOURCE_NOT_FOUND',
    false,
    'A request illegally referred to a resource that does not exist.',
  ),
  e(92, 'DUPLICATE_RESOURCE', false, 'A request illegally referred to the same resource twice.'),
  e(
    93,
    'UNACCEPTABLE_CREDENTIAL',
    false,
    'Requested credential would not meet criteria for acceptability.',
  ),
];

const byCode = new Map(KAFKA_ERRORS.map((info) => [info.code, info]));
const byName = new Map(KAFKA_ERRORS.map((info) => [info.name, info]));

/** The numeric code of each error, by name: `ErrorCode.NOT_LEADER_OR_FOLLOWER === 6`. */
export const ErrorCode = Object.freeze(
  Object.fromEntries(KAFKA_ERRORS.map((info) => [info.name, info.code])),
) as Readonly<Record<KafkaErrorName, number>>;

/** Codes we do not know are reported as UNKNOWN_SERVER_ERROR, as Kafka's `Errors.forCode`. */
export function errorForCode(code: number): KafkaErrorInfo {
  return byCode.get(code) ?? (byCode.get(-1) as KafkaErrorInfo);
}

export function isKnownErrorCode(code: number): boolean {
  return byCode.has(code);
}

export function errorForName(name: string): KafkaErrorInfo | undefined {
  return byName.get(name);
}

/** A thrown error that should reach the client as a specific Kafka error code. */
export class KafkaError extends Error {
  override name = 'KafkaError';
  readonly errorCode: number;

  constructor(errorName: KafkaErrorName, message?: string) {
    const info = byName.get(errorName) as KafkaErrorInfo;
    super(message ?? info.message);
    this.errorCode = info.code;
  }

  get retriable(): boolean {
    return errorForCode(this.errorCode).retriable;
  }
}

/** The boundary function: any thrown value -> the error code to send. */
export function errorCodeOf(err: unknown): number {
  return err instanceof KafkaError ? err.errorCode : -1;
}

/** Names that exist in the table (checked by the compiler where a literal is used). */
export type KafkaErrorName =
  | 'UNKNOWN_SERVER_ERROR'
  | 'NONE'
  | 'OFFSET_OUT_OF_RANGE'
  | 'CORRUPT_MESSAGE'
  | 'UNKNOWN_TOPIC_OR_PARTITION'
  | 'INVALID_FETCH_SIZE'
  | 'LEADER_NOT_AVAILABLE'
  | 'NOT_LEADER_OR_FOLLOWER'
  | 'REQUEST_TIMED_OUT'
  | 'BROKER_NOT_AVAILABLE'
  | 'REPLICA_NOT_AVAILABLE'
  | 'MESSAGE_TOO_LARGE'
  | 'STALE_CONTROLLER_EPOCH'
  | 'OFFSET_METADATA_TOO_LARGE'
  | 'NETWORK_EXCEPTION'
  | 'COORDINATOR_LOAD_IN_PROGRESS'
  | 'COORDINATOR_NOT_AVAILABLE'
  | 'NOT_COORDINATOR'
  | 'INVALID_TOPIC_EXCEPTION'
  | 'RECORD_LIST_TOO_LARGE'
  | 'NOT_ENOUGH_REPLICAS'
  | 'NOT_ENOUGH_REPLICAS_AFTER_APPEND'
  | 'INVALID_REQUIRED_ACKS'
  | 'ILLEGAL_GENERATION'
  | 'INCONSISTENT_GROUP_PROTOCOL'
  | 'INVALID_GROUP_ID'
  | 'UNKNOWN_MEMBER_ID'
  | 'INVALID_SESSION_TIMEOUT'
  | 'REBALANCE_IN_PROGRESS'
  | 'INVALID_COMMIT_OFFSET_SIZE'
  | 'TOPIC_AUTHORIZATION_FAILED'
  | 'GROUP_AUTHORIZATION_FAILED'
  | 'CLUSTER_AUTHORIZATION_FAILED'
  | 'INVALID_TIMESTAMP'
  | 'UNSUPPORTED_SASL_MECHANISM'
  | 'ILLEGAL_SASL_STATE'
  | 'UNSUPPORTED_VERSION'
  | 'TOPIC_ALREADY_EXISTS'
  | 'INVALID_PARTITIONS'
  | 'INVALID_REPLICATION_FACTOR'
  | 'INVALID_REPLICA_ASSIGNMENT'
  | 'INVALID_CONFIG'
  | 'NOT_CONTROLLER'
  | 'INVALID_REQUEST'
  | 'UNSUPPORTED_FOR_MESSAGE_FORMAT'
  | 'POLICY_VIOLATION'
  | 'OUT_OF_ORDER_SEQUENCE_NUMBER'
  | 'DUPLICATE_SEQUENCE_NUMBER'
  | 'INVALID_PRODUCER_EPOCH'
  | 'INVALID_TXN_STATE'
  | 'INVALID_PRODUCER_ID_MAPPING'
  | 'INVALID_TRANSACTION_TIMEOUT'
  | 'CONCURRENT_TRANSACTIONS'
  | 'TRANSACTION_COORDINATOR_FENCED'
  | 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'
  | 'SECURITY_DISABLED'
  | 'OPERATION_NOT_ATTEMPTED'
  | 'KAFKA_STORAGE_ERROR'
  | 'LOG_DIR_NOT_FOUND'
  | 'SASL_AUTHENTICATION_FAILED'
  | 'UNKNOWN_PRODUCER_ID'
  | 'REASSIGNMENT_IN_PROGRESS'
  | 'NON_EMPTY_GROUP'
  | 'GROUP_ID_NOT_FOUND'
  | 'FETCH_SESSION_ID_NOT_FOUND'
  | 'INVALID_FETCH_SESSION_EPOCH'
  | 'LISTENER_NOT_FOUND'
  | 'TOPIC_DELETION_DISABLED'
  | 'FENCED_LEADER_EPOCH'
  | 'UNKNOWN_LEADER_EPOCH'
  | 'UNSUPPORTED_COMPRESSION_TYPE'
  | 'STALE_BROKER_EPOCH'
  | 'OFFSET_NOT_AVAILABLE'
  | 'MEMBER_ID_REQUIRED'
  | 'PREFERRED_LEADER_NOT_AVAILABLE'
  | 'GROUP_MAX_SIZE_REACHED'
  | 'FENCED_INSTANCE_ID'
  | 'ELIGIBLE_LEADERS_NOT_AVAILABLE'
  | 'ELECTION_NOT_NEEDED'
  | 'NO_REASSIGNMENT_IN_PROGRESS'
  | 'GROUP_SUBSCRIBED_TO_TOPIC'
  | 'INVALID_RECORD'
  | 'UNSTABLE_OFFSET_COMMIT'
  | 'THROTTLING_QUOTA_EXCEEDED'
  | 'PRODUCER_FENCED'
  | 'RESOURCE_NOT_FOUND'
  | 'DUPLICATE_RESOURCE'
  | 'UNACCEPTABLE_CREDENTIAL';
