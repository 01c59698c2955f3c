/**
 * Connect strings, ZooKeeper style: a comma-separated list of `host:port` servers, e.g.
 * `127.0.0.1:2181,127.0.0.1:2182`. The client tries them in turn. IPv6 hosts go in brackets
 * (`[::1]:2181`). An optional chroot suffix after the last server (`a:2181,b:2181/kafka`), as
 * in ZooKeeper and Kafka's zookeeper.connect, roots every path the client uses at `/kafka`.
 *
 * Each server is reached at `ws://host:port/`: the coordinator speaks its JSON protocol on
 * the root path of its client port.
 */

export interface ServerAddress {
  host: string;
  port: number;
}

export const DEFAULT_PORT = 2181;

/**
 * Parse `host:port[,host:port...][/chroot]` into its servers. A missing port means 2181.
 * Throws on malformed input.
 */
export function parseConnectString(connectString: string): ServerAddress[] {
  const parts = splitChroot(connectString)
    .servers.split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (parts.length === 0) throw new Error(`empty connect string ${JSON.stringify(connectString)}`);
  return parts.map(parseServer);
}

function parseServer(text: string): ServerAddress {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:/\s[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match) throw new Error(`bad server address ${JSON.stringify(text)} (want host:port)`);
  const host = match[1].startsWith('[') ? match[1].slice(1, -1) : match[1];
  const port = match[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (port < 1 || port > 65535) throw new Error(`bad port in ${JSON.stringify(text)}`);
  return { host, port };
}

/**
 * The chroot suffix of a connect string, or undefined when there is none (or it is just `/`,
 * which ZooKeeper also treats as no chroot). Throws on a malformed one.
 */
export function parseChroot(connectString: string): string | undefined {
  const { chroot } = splitChroot(connectString);
  if (chroot === undefined || chroot === '/') return undefined;
  if (chroot.endsWith('/') || chroot.includes('//') || /\s/.test(chroot)) {
    throw new Error(`bad chroot ${JSON.stringify(chroot)} in connect string`);
  }
  return chroot;
}

function splitChroot(connectString: string): { servers: string; chroot: string | undefined } {
  // A slash can only start the chroot: hosts and ports never contain one.
  const slash = connectString.indexOf('/');
  if (slash < 0) return { servers: connectString, chroot: undefined };
  return { servers: connectString.slice(0, slash), chroot: connectString.slice(slash).trim() };
}

/** `ws://host:port/`, or `wss://` for the coordinator's secure (TLS) client port. */
export function serverUrl(server: ServerAddress, secure = false): string {
  const host = server.host.includes(':') ? `[${server.host}]` : server.host;
  return `${secure ? 'wss' : 'ws'}://${host}:${server.port}/`;
}
