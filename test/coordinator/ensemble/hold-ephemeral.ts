/**
 * A client process for ensemble-sessions.integration.test.ts: connects to the servers in
 * argv[2], creates the ephemeral node argv[3] with a session timeout of argv[4] ms, prints
 * "holding" and waits until it is killed (with SIGKILL, so its session is never closed).
 */
import { CoordinatorClient } from '../../../src/coordinator-client/client.js';

const [connectString, path, timeoutMs] = process.argv.slice(2);
const client = new CoordinatorClient(connectString!, { sessionTimeoutMs: Number(timeoutMs) });
await client.connect();
await client.create(path!, 'held', { mode: 'ephemeral' });
process.stdout.write('holding\n');
setInterval(() => {}, 60_000);
