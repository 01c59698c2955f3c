/**
 * SCRAM credentials as the broker reads them: from the user's entity config in the
 * coordinator, `/config/users/<name>` (src/security/scram-credential.ts has the format).
 * Read at each login rather than cached, so that a user added or changed with
 * `coordinator configs --entity-type users` or AlterUserScramCredentials can log in at once;
 * a login is rare next to the requests that follow it.
 */
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { ErrorCode, hasCode } from '../../src/protocol/coordinator/errors.js';
import {
  parseScramCredential,
  UserConfigZNode,
  type ScramCredential,
  type ScramMechanism,
} from '../../src/security/scram-credential.js';
import type { ScramCredentialSource } from './sasl-server.js';

export class CoordinatorScramCredentials implements ScramCredentialSource {
  readonly #zk: () => CoordinatorClient;

  constructor(zk: () => CoordinatorClient) {
    this.#zk = zk;
  }

  async credential(mechanism: ScramMechanism, user: string): Promise<ScramCredential | undefined> {
    let data: Buffer | null;
    try {
      data = (await this.#zk().getData(UserConfigZNode.path(user))).data;
    } catch (err) {
      if (hasCode(err, ErrorCode.NONODE)) return undefined;
      throw err;
    }
    const text = UserConfigZNode.decode(data)[mechanism];
    return text === undefined ? undefined : parseScramCredential(text);
  }
}
