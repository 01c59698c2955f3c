/**
 * What `samsa start` prints once every process is up: what runs where, the URLs to open,
 * and three commands to try. Pure (the ports in, the text out), so a test can read it.
 */
export interface BannerInput {
  coordinatorPort: number;
  coordinatorAdminPort: number;
  /** Kafka port and admin (metrics) port per broker, broker 1 first. */
  brokers: { id: number; port: number; adminPort: number }[];
  /** The dashboard's URL when the launcher started one. */
  dashboardUrl?: string;
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
