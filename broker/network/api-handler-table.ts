/**
 * The broker's handler table: API key -> the version range served -> the function that serves
 * it. It is the single source of both dispatch (socket-server.ts looks every request up here)
 * and the ApiVersions answer (api-versions.ts lists exactly these ranges), so the broker
 * cannot advertise an API it does not serve, nor serve one it does not advertise.
 *
 * Each part of the broker plugs in its own handlers with the versions it implements:
 * kafka-apis.ts the data plane, the admin APIs and the controller's requests; the group
 * coordinator its group APIs; and so on. `main.ts` builds one table and registers them all.
 * The table registers ApiVersions itself, because its answer is the table.
 *
 * What to advertise (rules learnt from the clients; the ranges we aim for are in
 * src/protocol/kafka/api-keys.ts): every version inside a registered range must work, and a
 * range may start above 0 only where no client needs the old versions. Registration refuses a
 * range that the codec cannot decode (outside the schema's valid versions) and a second
 * registration of the same API: both are wiring mistakes, caught at start-up.
 */
import type { DecodedRequest, Encodable } from '../../src/protocol/kafka/codec.js';
import { apiName, isKnownApiKey } from '../../src/protocol/kafka/codec.js';
import { ApiKey } from '../../src/protocol/kafka/api-keys.js';
import {
  MESSAGE_SCHEMAS,
  type GeneratedApiKey,
  type ResponseBodyByApiKey,
} from '../../src/protocol/kafka/generated/index.js';
import { parseVersionRange } from '../../src/protocol/kafka/schema.js';
import type { ConnectionSession } from '../security/session.js';
import { apiVersionsHandler } from './api-versions.js';

export interface ConnectionInfo {
  readonly connectionId: number;
  readonly remoteAddress: string;
  /** Listener, principal and SASL state of the connection (broker/security/session.ts). */
  readonly session: ConnectionSession;
}

/** The decoded request of API K. */
export type RequestOf<K extends GeneratedApiKey> = Extract<DecodedRequest, { apiKey: K }>;

/** The response body of API K, or null for requests without a response (acks=0 Produce). */
export type ResponseOf<K extends GeneratedApiKey> = Encodable<ResponseBodyByApiKey[K]> | null;

/** The response to any request, or null when the client expects none. */
export type HandlerResult = { [K in GeneratedApiKey]: ResponseOf<K> }[GeneratedApiKey];

/** One row of the table: an API, the versions served, and the function serving them. */
export interface ApiHandler<K extends GeneratedApiKey = GeneratedApiKey> {
  readonly apiKey: K;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly handle: (
    request: RequestOf<K>,
    connection: ConnectionInfo,
  ) => ResponseOf<K> | Promise<ResponseOf<K>>;
}

/** Any row, whatever its API (what `register` stores and `lookup` returns). */
export type AnyApiHandler = { [K in GeneratedApiKey]: ApiHandler<K> }[GeneratedApiKey];

/** Where `lookup` found a request: served, or why not. */
export type Lookup =
  | { readonly kind: 'served'; readonly handler: AnyApiHandler }
  | { readonly kind: 'unknown-api' }
  | { readonly kind: 'unsupported-version'; readonly handler: AnyApiHandler };

/** One entry of the ApiVersions answer. */
export interface AdvertisedRange {
  readonly apiKey: number;
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** Builds a row with its request type inferred from the API key. */
export function apiHandler<K extends GeneratedApiKey>(
  apiKey: K,
  range: { readonly minVersion: number; readonly maxVersion: number },
  handle: ApiHandler<K>['handle'],
): AnyApiHandler {
  return { apiKey, minVersion: range.minVersion, maxVersion: range.maxVersion, handle } as never;
}

/** The versions ApiVersions is served at (v3 is flexible and names the client software). */
export const API_VERSIONS_RANGE = { minVersion: 0, maxVersion: 3 } as const;

export class ApiHandlerTable {
  readonly #handlers = new Map<number, AnyApiHandler>();
  readonly #guard: (row: AnyApiHandler) => AnyApiHandler;

  /**
   * `guard` wraps each row as it is registered: the authorizer's checks
   * (broker/security/api-authorization.ts), when one is configured.
   */
  constructor(options: { guard?: ((row: AnyApiHandler) => AnyApiHandler) | undefined } = {}) {
    this.#guard = options.guard ?? ((row) => row);
    this.register(apiVersionsHandler(API_VERSIONS_RANGE, () => this.advertised()));
  }

  /** Adds one API. Throws on a duplicate or a range the codec cannot decode. */
  register(handler: AnyApiHandler): this {
    const { minVersion, maxVersion } = handler;
    // The type promises a known key, but a caller may have cast one in: the key is read as a
    // plain number so that the run-time check below can still reject it and name it.
    const apiKey: number = handler.apiKey;
    if (!isKnownApiKey(apiKey)) throw new Error(`API key ${apiKey} has no schema`);
    const name = apiName(apiKey);
    if (this.#handlers.has(apiKey)) throw new Error(`${name} registered twice`);
    const valid = parseVersionRange(MESSAGE_SCHEMAS[apiKey].request.validVersions);
    if (
      !Number.isInteger(minVersion) ||
      !Number.isInteger(maxVersion) ||
      minVersion > maxVersion ||
      minVersion < valid.min ||
      maxVersion > valid.max
    ) {
      throw new Error(
        `${name} ${minVersion}-${maxVersion} is outside the schema's ${valid.min}-${valid.max}`,
      );
    }
    this.#handlers.set(apiKey, this.#guard(handler));
    return this;
  }

  registerAll(handlers: Iterable<AnyApiHandler>): this {
    for (const handler of handlers) this.register(handler);
    return this;
  }

  lookup(apiKey: number, apiVersion: number): Lookup {
    const handler = this.#handlers.get(apiKey);
    if (handler === undefined) return { kind: 'unknown-api' };
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      return { kind: 'unsupported-version', handler };
    }
    return { kind: 'served', handler };
  }

  /** The ApiVersions answer: every registered API with its range, by API key. */
  advertised(): AdvertisedRange[] {
    return [...this.#handlers.values()]
      .map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }

  /** The served range of ApiVersions itself (for the v0 fallback answer). */
  get apiVersionsRange(): AdvertisedRange {
    return this.lookupRange(ApiKey.ApiVersions)!;
  }

  /** The registered range of an API, if it is registered. */
  lookupRange(apiKey: number): AdvertisedRange | undefined {
    const handler = this.#handlers.get(apiKey);
    if (handler === undefined) return undefined;
    return { apiKey, minVersion: handler.minVersion, maxVersion: handler.maxVersion };
  }
}
