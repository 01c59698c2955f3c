/**
 * What `samsa start` prints once every process is up: what runs where, the URLs to open,
 * and three commands to try. Pure (the ports in, the text out), so a test can read it.
 */
import { SECURE_PLAIN_USERS, SECURE_SCRAM_USERS } from './secure.js';

export interface BannerInput {
  coordinatorPort: number;
  coordinatorAdminPort: number;
  /** Kafka port and admin (metrics) port per broker, broker 1 first. */
  brokers: { id: number; port: number; adminPort: number }[];
  /** The dashboard's URL when the launcher started one. */
  dashboardUrl?: string;
  /** `--secure`: each broker's SSL and SASL_SSL ports (broker 1 first), the CA clients trust. */
  secure?: { ca: string; configDir: string; ports: { SSL: number; SASL_SSL: number }[] };
}

export function banner(input: BannerInput): string {
  const host = '127.0.0.1';
  const bootstrap = input.brokers.map((b) => `${host}:${b.port}`).join(',');
  const rows: [string, string, string][] = [
    [
      'coordinator',
      `${host}:${input.coordinatorPort}`,
      `http://${host}:${input.coordinatorAdminPort}/metrics` +
        `  (commands: http://${host}:${input.coordinatorAdminPort}/commands)`,
    ],
    ...input.brokers.map(
      (b) =>
        [`broker ${b.id}`, `${host}:${b.port}`, `http://${host}:${b.adminPort}/metrics`] as [
          string,
          string,
          string,
        ],
    ),
  ];
  const lines = [
    '',
    'Samsa is up (Ctrl-C stops it)',
    '',
    '  process       listens on        metrics',
    ...rows.map(([what, where, metrics]) => `  ${what.padEnd(13)} ${where.padEnd(17)} ${metrics}`),
  ];
  if (input.dashboardUrl !== undefined) lines.push('', `  dashboard     ${input.dashboardUrl}`);
  const secure = input.secure;
  if (secure !== undefined) {
    const list = (key: 'SSL' | 'SASL_SSL'): string =>
      secure.ports.map((p) => `${host}:${p[key]}`).join(',');
    lines.push(
      '',
      `  SSL:       ${list('SSL')}  (CA: ${secure.ca})`,
      `  SASL_SSL:  ${list('SASL_SSL')}`,
      '    PLAIN users ' +
        Object.entries(SECURE_PLAIN_USERS)
          .map(([user, password]) => `${user}/${password}`)
          .join(', '),
      '    SCRAM users ' +
        SECURE_SCRAM_USERS.map(
          (u) => `${u.user}/${u.sha256} (SCRAM-SHA-256), ${u.user}/${u.sha512} (SCRAM-SHA-512)`,
        ).join(', '),
      '  ACLs on (a resource without ACLs is open; User:admin is a super user);',
      `  broker configs: ${secure.configDir}/broker-<id>.properties`,
    );
  }
  lines.push(
    '',
    `  bootstrap servers: ${bootstrap}`,
    '',
    '  try:',
    '    npx samsa topics create orders --partitions 3 --replication-factor 3',
    "    printf 'order-1:paid\\norder-2:shipped\\n' | npx samsa produce orders --key-separator :",
    "    npx samsa consume orders --from-beginning --format '%k %v (partition %p, offset %o)\\n'",
    '',
  );
  return lines.join('\n');
}
