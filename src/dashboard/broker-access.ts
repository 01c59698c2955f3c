/**
 * How the dashboard reaches the brokers, as a Kafka client's `security.protocol`,
 * `ssl.truststore.*` and `sasl.mechanism` say: over each live broker's listener of that
 * security protocol (from its registration in /brokers/ids), with TLS for SSL and SASL_SSL
 * and a SASL login (PLAIN or SCRAM, src/security/sasl-login.ts) for SASL_PLAINTEXT and
 * SASL_SSL. A broker without a listener of that protocol is not polled.
 */
import type { ConnectionOptions } from 'node:tls';
import type { BrokerAddress } from '../kafka-client.js';
import type { SaslCredentials } from '../security/sasl-login.js';
import type { ClusterView } from './cluster-model.js';

export const BROKER_SECURITY_PROTOCOLS = [
  'PLAINTEXT',
  'SSL',
  'SASL_PLAINTEXT',
  'SASL_SSL',
] as const;
export type BrokerSecurityProtocol = (typeof BROKER_SECURITY_PROTOCOLS)[number];

export interface BrokerAccess {
  securityProtocol: BrokerSecurityProtocol;
  /** For SSL and SASL_SSL: node's TLS options (ca; cert and key for mutual TLS). */
  tls?: ConnectionOptions;
  /** For SASL_PLAINTEXT and SASL_SSL: the mechanism and the login. */
  sasl?: SaslCredentials;
}

export const PLAINTEXT_ACCESS: BrokerAccess = { securityProtocol: 'PLAINTEXT' };

export function usesTls(protocol: BrokerSecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

export function usesSasl(protocol: BrokerSecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}

/** The live brokers' addresses on their listener of `access.securityProtocol`. */
export function liveBrokerAddresses(view: ClusterView, access: BrokerAccess): BrokerAddress[] {
  const addresses: BrokerAddress[] = [];
  for (const b of view.brokers) {
    if (!b.alive) continue;
    const endpoint = b.endpoints.find((e) => e.securityProtocol === access.securityProtocol);
    if (endpoint !== undefined)
      addresses.push({ nodeId: b.id, host: endpoint.host, port: endpoint.port });
  }
  return addresses;
}

/** The KafkaClient options of `access`: TLS options and SASL credentials where it uses them. */
export function kafkaClientSecurity(access: BrokerAccess): {
  tls?: ConnectionOptions;
  sasl?: SaslCredentials;
} {
  return {
    tls: usesTls(access.securityProtocol) ? (access.tls ?? {}) : undefined,
    sasl: usesSasl(access.securityProtocol) ? access.sasl : undefined,
  };
}
