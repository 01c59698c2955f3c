/**
 * `samsa dashboard`: runs the dashboard as a process of its own (scripts/samsa.ts parses the
 * options and calls `runDashboard`). Logs `dashboard listening {url}` once the page is served,
 * then mirrors the coordinator; SIGINT or SIGTERM closes it.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { createRootLogger } from '../logger.js';
import { exitAfterFlush } from '../process-exit.js';
import { isDigestId } from '../security/http-login.js';
import { SASL_CLIENT_MECHANISMS, type SaslClientMechanism } from '../security/sasl-login.js';
import {
  BROKER_SECURITY_PROTOCOLS,
  usesSasl,
  usesTls,
  type BrokerAccess,
  type BrokerSecurityProtocol,
} from './broker-access.js';
import { Dashboard } from './dashboard.js';

export interface DashboardCommandOptions extends DashboardSecurity {
  coordinator: string;
  host: string;
  port: number;
  readOnly: boolean;
  brokerAdminPortBase: number | null;
  brokerAdminPorts: Map<number, number>;
  pollIntervalMs: number;
}

/** What the security flags of `samsa dashboard` come to (files read, values checked). */
export interface DashboardSecurity {
  tls?: TlsOptions;
  login?: string;
  coordinatorTls?: ConnectionOptions;
  coordinatorAuth?: string;
  brokerAccess?: BrokerAccess;
}

/** The security flags as commander gives them. */
export interface DashboardSecurityFlags {
  https?: boolean;
  sslKeystore?: string;
  sslKey?: string;
  sslCert?: string;
  login?: string;
  tls?: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  auth?: string;
  brokerSecurityProtocol?: string;
  brokerTlsCa?: string;
  brokerTlsCert?: string;
  brokerTlsKey?: string;
  brokerSaslMechanism?: string;
  brokerAuth?: string;
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${flag}: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Client TLS options from a CA and an optional certificate and key (--tls-*, --broker-tls-*). */
function clientTls(
  prefix: string,
  ca: string | undefined,
  cert: string | undefined,
  key: string | undefined,
): ConnectionOptions {
  if ((cert === undefined) !== (key === undefined))
    throw new Error(`${prefix}-cert and ${prefix}-key go together`);
  const options: ConnectionOptions = {};
  if (ca !== undefined) options.ca = readPem(ca, `${prefix}-ca`);
  if (cert !== undefined) options.cert = readPem(cert, `${prefix}-cert`);
  if (key !== undefined) options.key = readPem(key, `${prefix}-key`);
  return options;
}

/** Checks the security flags and reads the PEM files they name. */
export function resolveDashboardSecurity(f: DashboardSecurityFlags): DashboardSecurity {
  const security: DashboardSecurity = {};
  const serverPem =
    f.sslKeystore !== undefined || f.sslKey !== undefined || f.sslCert !== undefined;
  if (f.https === true) {
    if (f.sslKeystore !== undefined) {
      if (f.sslKey !== undefined || f.sslCert !== undefined)
        throw new Error('--ssl-keystore holds the key and certificate: no --ssl-key/--ssl-cert');
      const pem = readPem(f.sslKeystore, '--ssl-keystore');
      security.tls = { key: pem, cert: pem };
    } else if (f.sslKey !== undefined && f.sslCert !== undefined) {
      security.tls = {
        key: readPem(f.sslKey, '--ssl-key'),
        cert: readPem(f.sslCert, '--ssl-cert'),
      };
    } else {
      throw new Error(
        '--https needs --ssl-keystore (key and certificate), or --ssl-key and --ssl-cert',
      );
    }
  } else if (serverPem) {
    throw new Error('--ssl-keystore, --ssl-key and --ssl-cert go with --https');
  }
  if (f.login !== undefined) {
    if (!isDigestId(f.login))
      throw new Error(
        `--login ${f.login.slice(0, f.login.indexOf(':') + 1)}...: give the digest id ` +
          'user:base64(sha1(user:password)), as `npx coordinator digest user:password` prints it',
      );
    security.login = f.login;
  }
  if (f.tls === true || f.tlsCa !== undefined || f.tlsCert !== undefined || f.tlsKey !== undefined)
    security.coordinatorTls = clientTls('--tls', f.tlsCa, f.tlsCert, f.tlsKey);
  if (f.auth !== undefined) {
    if (f.auth.indexOf(':') <= 0) throw new Error('--auth: give user:password');
    security.coordinatorAuth = f.auth;
  }
  const protocol = (f.brokerSecurityProtocol ?? 'PLAINTEXT').toUpperCase();
  if (!(BROKER_SECURITY_PROTOCOLS as readonly string[]).includes(protocol))
    throw new Error(
      `--broker-security-protocol ${f.brokerSecurityProtocol}: one of ` +
        BROKER_SECURITY_PROTOCOLS.join(', '),
    );
  const securityProtocol = protocol as BrokerSecurityProtocol;
  const access: BrokerAccess = { securityProtocol };
  const brokerTls = f.brokerTlsCa ?? f.brokerTlsCert ?? f.brokerTlsKey;
  if (usesTls(securityProtocol)) {
    access.tls = clientTls('--broker-tls', f.brokerTlsCa, f.brokerTlsCert, f.brokerTlsKey);
  } else if (brokerTls !== undefined) {
    throw new Error('--broker-tls-* go with --broker-security-protocol SSL or SASL_SSL');
  }
  if (usesSasl(securityProtocol)) {
    const mechanism = (f.brokerSaslMechanism ?? 'PLAIN').toUpperCase();
    if (!(SASL_CLIENT_MECHANISMS as readonly string[]).includes(mechanism))
      throw new Error(
        `--broker-sasl-mechanism ${f.brokerSaslMechanism}: one of ` +
          SASL_CLIENT_MECHANISMS.join(', '),
      );
    const colon = f.brokerAuth?.indexOf(':') ?? -1;
    if (f.brokerAuth === undefined || colon <= 0)
      throw new Error(`--broker-security-protocol ${protocol} needs --broker-auth user:password`);
    access.sasl = {
      mechanism: mechanism as SaslClientMechanism,
      username: f.brokerAuth.slice(0, colon),
      password: f.brokerAuth.slice(colon + 1),
    };
  } else if (f.brokerAuth !== undefined || f.brokerSaslMechanism !== undefined) {
    throw new Error(
      '--broker-auth and --broker-sasl-mechanism go with --broker-security-protocol ' +
        'SASL_PLAINTEXT or SASL_SSL',
    );
  }
  security.brokerAccess = access;
  return security;
}

/** `--broker-admin-port 1=8091 --broker-admin-port 2=8092` -> {1 -> 8091, 2 -> 8092}. */
export function parseBrokerAdminPorts(values: readonly string[]): Map<number, number> {
  const ports = new Map<number, number>();
  for (const value of values) {
    const m = /^(\d+)=(\d+)$/.exec(value);
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535)
      throw new Error(`--broker-admin-port ${value}: expected BROKER_ID=PORT, as 1=8091`);
    ports.set(Number(m[1]), port);
  }
  return ports;
}

export async function runDashboard(options: DashboardCommandOptions): Promise<void> {
  const logger = createRootLogger({ name: 'dashboard' }).child({ component: 'dashboard' });
  const dashboard = new Dashboard({ ...options, logger });
  const stop = (): void => {
    void dashboard.close().finally(() => exitAfterFlush(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const { url } = await dashboard.start();
  logger.info(
    {
      url,
      readOnly: options.readOnly,
      login: options.login !== undefined,
      coordinatorTls: options.coordinatorTls !== undefined,
      brokers: options.brokerAccess?.securityProtocol ?? 'PLAINTEXT',
    },
    'dashboard listening',
  );
}
