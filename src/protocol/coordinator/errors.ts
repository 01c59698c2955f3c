/**
 * ZooKeeper's error codes (`KeeperException.Code`), spelled as ZooKeeper spells them so they
 * can be grepped in upstream docs. Both of the coordinator's protocols (the WebSocket JSON
 * protocol and ZooKeeper's binary protocol) carry these numbers in their reply headers.
 *
 * `name` is the Java enum constant (NONODE), `camel` the name zkCli and kazoo print
 * (NoNode). docs/errors.md lists them with what each means here.
 */
export const ErrorCode = {
  OK: 0,
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;

export type ErrorName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorName];

const CAMEL: Record<ErrorName, string> = {
  OK: 'OK',
  SYSTEMERROR: 'SystemError',
  RUNTIMEINCONSISTENCY: 'RuntimeInconsistency',
  DATAINCONSISTENCY: 'DataInconsistency',
  CONNECTIONLOSS: 'ConnectionLoss',
  MARSHALLINGERROR: 'MarshallingError',
  UNIMPLEMENTED: 'Unimplemented',
  OPERATIONTIMEOUT: 'OperationTimeout',
  BADARGUMENTS: 'BadArguments',
  UNKNOWNSESSION: 'UnknownSession',
  NEWCONFIGNOQUORUM: 'NewConfigNoQuorum',
  RECONFIGINPROGRESS: 'ReconfigInProgress',
  APIERROR: 'APIError',
  NONODE: 'NoNode',
  NOAUTH: 'NoAuth',
  BADVERSION: 'BadVersion',
  NOCHILDRENFOREPHEMERALS: 'NoChildrenForEphemerals',
  NODEEXISTS: 'NodeExists',
  NOTEMPTY: 'NotEmpty',
  SESSIONEXPIRED: 'SessionExpired',
  INVALIDCALLBACK: 'InvalidCallback',
  INVALIDACL: 'InvalidACL',
  AUTHFAILED: 'AuthFailed',
  SESSIONMOVED: 'SessionMoved',
  NOTREADONLY: 'NotReadOnly',
  EPHEMERALONLOCALSESSION: 'EphemeralOnLocalSession',
  NOWATCHER: 'NoWatcher',
  REQUESTTIMEOUT: 'RequestTimeout',
  RECONFIGDISABLED: 'ReconfigDisabled',
  SESSIONCLOSEDREQUIRESASLAUTH: 'SessionClosedRequireSaslAuth',
  QUOTAEXCEEDED: 'QuotaExceeded',
  THROTTLEDOP: 'Throttled',
};

/** What each code means, for docs/errors.md and error messages. */
export const ERROR_DESCRIPTIONS: Record<ErrorName, string> = {
  OK: 'Success.',
  SYSTEMERROR: 'Range marker in ZooKeeper; we answer it for an unexpected server-side failure.',
  RUNTIMEINCONSISTENCY: 'In a failed multi: an operation after the one that failed (not applied).',
  DATAINCONSISTENCY: 'A data inconsistency was found (not sent by this server).',
  CONNECTIONLOSS:
    'Client side: the connection was lost before the reply arrived; the outcome is unknown.',
  MARSHALLINGERROR: 'The request could not be decoded.',
  UNIMPLEMENTED:
    'Unknown operation, TTL nodes without extendedTypesEnabled, or check outside multi.',
  OPERATIONTIMEOUT: 'Client side: the operation timed out.',
  BADARGUMENTS: 'Invalid path, flags, TTL or data size, or deleting a built-in node.',
  UNKNOWNSESSION: 'Internal: the session is not known.',
  NEWCONFIGNOQUORUM: 'Reconfiguration without a quorum (ensembles only).',
  RECONFIGINPROGRESS: 'Another reconfiguration is running (ensembles only).',
  APIERROR: 'Range marker, not sent.',
  NONODE: 'The node (or, for create, its parent) does not exist.',
  NOAUTH: 'The ACL does not grant the permission the operation needs.',
  BADVERSION: 'The expected version (data version, or aversion for setACL) does not match.',
  NOCHILDRENFOREPHEMERALS: 'Ephemeral nodes cannot have children.',
  NODEEXISTS: 'A node already exists at that path.',
  NOTEMPTY: 'The node has children and cannot be deleted.',
  SESSIONEXPIRED: 'The session expired; its ephemerals are gone. Start a new session.',
  INVALIDCALLBACK: 'Client side: invalid callback.',
  INVALIDACL:
    'An empty ACL, an unknown scheme, a malformed id, or the auth scheme without an identity.',
  AUTHFAILED: 'The auth packet was rejected; the server closes the connection.',
  SESSIONMOVED: 'The session moved to another connection.',
  NOTREADONLY: 'A write was sent to a read-only server.',
  EPHEMERALONLOCALSESSION: 'Local sessions cannot own ephemerals.',
  NOWATCHER: 'removeWatches/checkWatches found no such watch.',
  REQUESTTIMEOUT: 'Client side: the request timed out.',
  RECONFIGDISABLED: 'Dynamic reconfiguration is disabled.',
  SESSIONCLOSEDREQUIRESASLAUTH: 'The server requires SASL authentication.',
  QUOTAEXCEEDED: 'A hard quota was exceeded.',
  THROTTLEDOP: 'The server is overloaded and throttled the operation.',
};

const BY_CODE = new Map<number, ErrorName>(
  (Object.keys(ErrorCode) as ErrorName[]).map((name) => [ErrorCode[name], name]),
);

/** The enum name for a code; unknown codes map to SYSTEMERROR's neighbour "UNKNOWN(n)". */
export function errorName(code: number): string {
  return BY_CODE.get(code) ?? `UNKNOWN(${code})`;
}

/** zkCli's spelling: `NoNode`, `BadVersion`. */
export function errorCamelName(code: number): string {
  const name = BY_CODE.get(code);
  return name ? CAMEL[name] : `Unknown(${code})`;
}

/**
 * An operation failed with a ZooKeeper error code. Thrown inside the server's prep step and
 * turned into a numeric code in the reply; on the client side, rejected promises carry it.
 */
export class KeeperError extends Error {
  override name = 'KeeperError';
  readonly code: number;
  readonly path: string | undefined;
  /** For a failed multi: every op's result (0 before the failing op, its code, -2 after). */
  readonly results: import('./messages.js').MultiResultEntry[] | undefined;
  constructor(
    code: number,
    path?: string,
    detail?: string,
    results?: import('./messages.js').MultiResultEntry[],
  ) {
    const base = `KeeperErrorCode = ${errorCamelName(code)}`;
    super(
      path
        ? `${base} for ${path}${detail ? ` (${detail})` : ''}`
        : base + (detail ? ` (${detail})` : ''),
    );
    this.code = code;
    this.path = path;
    this.results = results;
  }
  get codeName(): string {
    return errorName(this.code);
  }
}

/** Whether `err` is a KeeperError with this code (`hasCode(err, ErrorCode.NONODE)`). */
export function hasCode(err: unknown, code: number): boolean {
  return err instanceof KeeperError && err.code === code;
}
