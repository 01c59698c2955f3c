/**
 * DescribeUserScramCredentials (50) and AlterUserScramCredentials (51), KIP-554, version 0, as
 * ZooKeeper-mode Kafka 2.8 serves them (KafkaApis and ZkAdminManager). The credentials live in
 * `/config/users/<name>`, written through src/security/user-scram-admin.ts, the code
 * `coordinator configs --entity-type users` uses; brokers read them at each login, so a new
 * credential works at once on every broker.
 *
 * The client salts and hashes the password (salt, iterations, SaltedPassword = Hi(password));
 * the broker derives StoredKey and ServerKey from them and never sees the password.
 *
 * Who may: DESCRIBE on the cluster for Describe, ALTER on the cluster for Alter, else
 * CLUSTER_AUTHORIZATION_FAILED (everyone, without an authorizer). Alter is served by the
 * controller only (NOT_CONTROLLER elsewhere), as in Kafka 2.8.
 *
 * Describe, per user (none named: every user with a SCRAM credential, sorted):
 *   empty name                            RESOURCE_NOT_FOUND  "Username must not be empty"
 *   named twice                           DUPLICATE_RESOURCE
 *   no SCRAM credential                   RESOURCE_NOT_FOUND
 *   else                                  the mechanisms and iteration counts
 * Alter, per user (one result for each user the request names):
 *   empty name                            UNACCEPTABLE_CREDENTIAL "Username must not be empty"
 *   mechanism not SCRAM-SHA-256/512       UNSUPPORTED_SASL_MECHANISM
 *   iterations outside 4096..16384        UNACCEPTABLE_CREDENTIAL "Too few/many iterations"
 *   one mechanism changed twice           DUPLICATE_RESOURCE
 *   deleting a credential it does not have RESOURCE_NOT_FOUND
 *   else                                  every change of the user is written at once
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import type { Logger } from '../../src/logger.js';
import { ErrorCode as ZkErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import type { Encodable } from '../../src/protocol/kafka/codec.js';
import { ErrorCode, errorForCode } from '../../src/protocol/kafka/errors.js';
import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
} from '../../src/protocol/kafka/generated/index.js';
import type { DescribeUserScramCredentialsResult } from '../../src/protocol/kafka/generated/describe-user-scram-credentials.js';
import {
  credentialFromSaltedPassword,
  SCRAM_ITERATIONS_MAX,
  SCRAM_ITERATIONS_MIN,
  type ScramMechanism,
} from '../../src/security/scram-credential.js';
import {
  alterUserScram,
  describeUserScram,
  readUserConfig,
  type ScramUpsertion,
} from '../../src/security/user-scram-admin.js';
import { apiHandler, type AnyApiHandler } from '../network/api-handler-table.js';
import type { AuthorizationCheck } from './acl-cache.js';
import type { ConnectionSession } from './session.js';

/** Kafka's ScramMechanism type codes (0 is UNKNOWN). */
export const SCRAM_MECHANISM_CODES: ReadonlyMap<number, ScramMechanism> = new Map([
  [1, 'SCRAM-SHA-256'],
  [2, 'SCRAM-SHA-512'],
]);

function mechanismCode(mechanism: ScramMechanism): number {
  return mechanism === 'SCRAM-SHA-256' ? 1 : 2;
}

const EMPTY_USER = 'Username must not be empty';

export interface ScramAdminApisDeps {
  zk: () => CoordinatorClient;
  /** The authorizer's check; everything is allowed without one. */
  authorize: AuthorizationCheck | undefined;
  /** Whether this broker is the active controller (Alter is served there only). */
  isController: () => boolean;
  logger: Logger;
}

type UserResult = { user: string; errorCode: number; errorMessage: string | null };

export class ScramAdminApis {
  readonly #o: ScramAdminApisDeps;
  readonly #log: Logger;

  constructor(deps: ScramAdminApisDeps) {
    this.#o = deps;
    this.#log = deps.logger.child({ component: 'scram-admin-apis' });
  }

  handlers(): AnyApiHandler[] {
    const v0 = { minVersion: 0, maxVersion: 0 };
    return [
      apiHandler(ApiKey.DescribeUserScramCredentials, v0, (r, c) =>
        this.describe(r.body, c.session),
      ),
      apiHandler(ApiKey.AlterUserScramCredentials, v0, (r, c) => this.alter(r.body, c.session)),
    ];
  }

  #allowed(session: ConnectionSession, operation: 'Describe' | 'Alter'): boolean {
    const check = this.#o.authorize;
    return check === undefined || check(session, operation, 'Cluster');
  }

  async describe(
    request: DescribeUserScramCredentialsRequest,
    session: ConnectionSession,
  ): Promise<Encodable<DescribeUserScramCredentialsResponse>> {
    if (!this.#allowed(session, 'Describe')) {
      const code = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
      return { throttleTimeMs: 0, errorCode: code, errorMessage: errorForCode(code).message };
    }
    const zk = this.#o.zk();
    const named = (request.users ?? []).map((u) => u.name);
    try {
      const results: Encodable<DescribeUserScramCredentialsResult>[] = [];
      if (named.length === 0) {
        for (const user of (await userNames(zk)).sort()) {
          const infos = await describeUserScram(zk, user);
          if (infos.length > 0) results.push(describedUser(user, infos));
        }
      } else {
        for (const user of new Set(named)) {
          if (user === '') {
            results.push(failedUser(user, ErrorCode.RESOURCE_NOT_FOUND, EMPTY_USER));
          } else if (named.filter((n) => n === user).length > 1) {
            results.push(
              failedUser(
                user,
                ErrorCode.DUPLICATE_RESOURCE,
                'Cannot describe SCRAM credentials for the same user twice in a single ' +
                  `request: ${user}`,
              ),
            );
          } else {
            const infos = await describeUserScram(zk, user);
            results.push(
              infos.length > 0
                ? describedUser(user, infos)
                : failedUser(
                    user,
                    ErrorCode.RESOURCE_NOT_FOUND,
                    `Attempt to describe a user credential that does not exist: ${user}`,
                  ),
            );
          }
        }
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
    } catch (err) {
      this.#log.error({ err }, 'cannot describe SCRAM credentials');
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
        errorMessage: `cannot read the users: ${(err as Error).message}`,
      };
    }
  }

  async alter(
    request: AlterUserScramCredentialsRequest,
    session: ConnectionSession,
  ): Promise<Encodable<AlterUserScramCredentialsResponse>> {
    const users = [
      ...new Set([
        ...request.upsertions.map((u) => u.name),
        ...request.deletions.map((d) => d.name),
      ]),
    ];
    const all = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      results: users.map((user) => ({ user, errorCode, errorMessage })),
    });
    if (!this.#o.isController()) {
      return all(ErrorCode.NOT_CONTROLLER, errorForCode(ErrorCode.NOT_CONTROLLER).message);
    }
    if (!this.#allowed(session, 'Alter')) {
      const code = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
      return all(code, errorForCode(code).message);
    }
    const results: UserResult[] = [];
    for (const user of users) {
      results.push(await this.#alterUser(request, user, session));
    }
    return { throttleTimeMs: 0, results };
  }

  /** The checks of the module comment, in Kafka's order, then the write. */
  async #alterUser(
    request: AlterUserScramCredentialsRequest,
    user: string,
    session: ConnectionSession,
  ): Promise<UserResult> {
    const fail = (errorCode: number, errorMessage: string): UserResult => ({
      user,
      errorCode,
      errorMessage,
    });
    const upsertions = request.upsertions.filter((u) => u.name === user);
    const deletions = request.deletions.filter((d) => d.name === user);
    if (user === '') return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, EMPTY_USER);
    const mechanisms = [...upsertions, ...deletions].map((c) =>
      SCRAM_MECHANISM_CODES.get(c.mechanism),
    );
    if (mechanisms.includes(undefined)) {
      return fail(ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism');
    }
    for (const u of upsertions) {
      if (u.iterations > SCRAM_ITERATIONS_MAX) {
        return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations');
      }
      if (u.iterations < SCRAM_ITERATIONS_MIN) {
        return fail(ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations');
      }
    }
    if (new Set(mechanisms).size !== mechanisms.length) {
      return fail(
        ErrorCode.DUPLICATE_RESOURCE,
        'A user credential cannot be altered twice in the same request',
      );
    }
    const zk = this.#o.zk();
    try {
      const { config } = await readUserConfig(zk, user);
      const deleted = deletions.map((d) => SCRAM_MECHANISM_CODES.get(d.mechanism)!);
      if (deleted.some((m) => config[m] === undefined)) {
        return fail(
          ErrorCode.RESOURCE_NOT_FOUND,
          'Attempt to delete a user credential that does not exist',
        );
      }
      const upsert: ScramUpsertion[] = upsertions.map((u) => {
        const mechanism = SCRAM_MECHANISM_CODES.get(u.mechanism)!;
        return {
          mechanism,
          iterations: u.iterations,
          credential: credentialFromSaltedPassword(
            mechanism,
            u.saltedPassword,
            u.salt,
            u.iterations,
          ),
        };
      });
      await alterUserScram(zk, user, { upsert, delete: deleted });
      this.#log.info(
        {
          user,
          principal: session.principal,
          upserted: upsert.map((u) => u.mechanism),
          deleted,
        },
        'SCRAM credentials altered',
      );
      return { user, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (err) {
      this.#log.error({ err, user }, 'cannot alter SCRAM credentials');
      return fail(
        ErrorCode.UNKNOWN_SERVER_ERROR,
        `cannot store the credential: ${(err as Error).message}`,
      );
    }
  }
}

/** The users with an entity config (the znode names are URL-encoded user names). */
async function userNames(zk: CoordinatorClient): Promise<string[]> {
  try {
    return (await zk.getChildren('/config/users')).map((n) => decodeURIComponent(n));
  } catch (err) {
    if (hasCode(err, ZkErrorCode.NONODE)) return [];
    throw err;
  }
}

function describedUser(
  user: string,
  infos: { mechanism: ScramMechanism; iterations: number }[],
): Encodable<DescribeUserScramCredentialsResult> {
  return {
    user,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    credentialInfos: infos
      .map((i) => ({ mechanism: mechanismCode(i.mechanism), iterations: i.iterations }))
      .sort((a, b) => a.mechanism - b.mechanism),
  };
}

function failedUser(
  user: string,
  errorCode: number,
  errorMessage: string,
): Encodable<DescribeUserScramCredentialsResult> {
  return { user, errorCode, errorMessage, credentialInfos: [] };
}
