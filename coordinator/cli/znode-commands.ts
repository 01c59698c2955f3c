/**
 * zkCli-like znode commands: ls, get, stat, create, set, delete, deleteall, tree, watch.
 * Each opens a one-shot session (see ./context.ts), so `create -e` makes a node that is gone
 * once the command exits. Formats are described in ./format.ts and docs/coordinator-cli.md.
 *
 * deleteall and tree first read the whole subtree level by level, sending every getChildren
 * of a level at once (the server answers in order, so pipelining is safe and one round trip
 * per level is enough).
 */
import type { Command } from 'commander';
import type { CoordinatorClient } from '../../src/coordinator-client/client.js';
import { ErrorCode, KeeperError } from '../../src/protocol/coordinator/errors.js';
import type { CreateModeName } from '../../src/protocol/coordinator/messages.js';
import { parseIntOption, UsageError, type CliContext, type CommandModule } from './context.js';
import { nodeDataFrom } from './data-source.js';
import {
  formatChildren,
  formatData,
  formatStatText,
  formatTree,
  joinPath,
  statJson,
} from './format.js';

/** Read `path` and all its descendants: path -> children, plus the order they were found. */
async function readSubtree(
  client: CoordinatorClient,
  root: string,
): Promise<{ childrenOf: Map<string, string[]>; levels: string[][] }> {
  const childrenOf = new Map<string, string[]>();
  const levels: string[][] = [];
  let level = [root];
  while (level.length > 0) {
    levels.push(level);
    const lists = await Promise.all(
      level.map((path) =>
        client.getChildren(path).catch((err: unknown) => {
          // A node deleted by someone else while we walk is simply not there any more;
          // only the root must exist.
          if (path !== root && err instanceof KeeperError && err.code === ErrorCode.NONODE)
            return [];
          throw err;
        }),
      ),
    );
    const next: string[] = [];
    level.forEach((path, i) => {
      childrenOf.set(path, lists[i]);
      for (const name of lists[i]) next.push(joinPath(path, name));
    });
    level = next;
  }
  return { childrenOf, levels };
}

function createMode(o: {
  ephemeral?: boolean;
  sequential?: boolean;
  container?: boolean;
  ttl?: string;
}): CreateModeName {
  if (o.container && (o.ephemeral || o.sequential || o.ttl))
    throw new UsageError('-c cannot be combined with -e, -s or -t');
  if (o.ttl !== undefined) {
    if (o.ephemeral) throw new UsageError('-t cannot be combined with -e');
    return o.sequential ? 'persistent_sequential_with_ttl' : 'persistent_with_ttl';
  }
  if (o.container) return 'container';
  if (o.ephemeral) return o.sequential ? 'ephemeral_sequential' : 'ephemeral';
  return o.sequential ? 'persistent_sequential' : 'persistent';
}

export const znodeCommands: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    program
      .command('ls')
      .description('list the children of a node, zkCli style: [a, b]')
      .argument('<path>')
      .option('--json', 'print {"children": [...], "stat": {...}}')
      .action(async (path: string, o: { json?: boolean }, cmd: Command) => {
        const { children, stat } = await ctx.withClient(cmd, (c) => c.getChildrenWithStat(path));
        if (o.json)
          ctx.out(JSON.stringify({ children: [...children].sort(), stat: statJson(stat) }));
        else ctx.out(formatChildren(children));
      });

    program
      .command('get')
      .description('print the data of a node as UTF-8 text ("null" for null data)')
      .argument('<path>')
      .option('--json', 'print {"data": text|null, "stat": {...}}')
      .action(async (path: string, o: { json?: boolean }, cmd: Command) => {
        const { data, stat } = await ctx.withClient(cmd, (c) => c.getData(path));
        if (o.json)
          ctx.out(
            JSON.stringify({
              data: data === null ? null : data.toString('utf8'),
              stat: statJson(stat),
            }),
          );
        else ctx.out(formatData(data));
      });

    program
      .command('stat')
      .description("print a node's Stat in zkCli's layout")
      .argument('<path>')
      .option('--json', 'print the Stat as JSON with ZooKeeper field names')
      .action(async (path: string, o: { json?: boolean }, cmd: Command) => {
        const stat = await ctx.withClient(cmd, (c) => c.exists(path));
        if (stat === null) throw new KeeperError(ErrorCode.NONODE, path);
        ctx.out(o.json ? JSON.stringify(statJson(stat)) : formatStatText(stat));
      });

    program
      .command('create')
      .description('create a node; prints "Created <path>" (the path has its sequence suffix)')
      .argument('<path>')
      .argument('[data]', 'node data as UTF-8 text (default: null)')
      .option('-d, --data-file <file>', 'take the data from a file, or from stdin if <file> is -')
      .option(
        '-e, --ephemeral',
        'ephemeral: deleted when the session ends (here: when the command exits)',
      )
      .option('-s, --sequential', 'append a 10-digit sequence number')
      .option('-c, --container', 'container node: removed by the server once its last child goes')
      .option('-t, --ttl <ms>', 'persistent node removed when untouched and childless for <ms>')
      .action(
        async (
          path: string,
          data: string | undefined,
          o: {
            ephemeral?: boolean;
            sequential?: boolean;
            container?: boolean;
            ttl?: string;
            dataFile?: string;
          },
          cmd: Command,
        ) => {
          const mode = createMode(o);
          const ttlMs = o.ttl === undefined ? undefined : parseIntOption(o.ttl, '--ttl');
          const content = await nodeDataFrom({ text: data, dataFile: o.dataFile });
          const created = await ctx.withClient(cmd, (c) =>
            c.create(path, content ?? null, { mode, ttlMs }),
          );
          ctx.out(`Created ${created}`);
        },
      );

    program
      .command('set')
      .description('replace the data of a node')
      .argument('<path>')
      .argument('[data]', 'the new data as UTF-8 text (required unless --data-file is given)')
      .option('-d, --data-file <file>', 'take the data from a file, or from stdin if <file> is -')
      .option('-v, --version <n>', 'only if the data version is <n> (else BadVersion)', '-1')
      .option('-s, --stat', 'print the new Stat (zkCli: set -s)')
      .action(
        async (
          path: string,
          data: string | undefined,
          o: { version: string; stat?: boolean; dataFile?: string },
          cmd: Command,
        ) => {
          const version = parseIntOption(o.version, '--version');
          const content = await nodeDataFrom({ text: data, dataFile: o.dataFile });
          if (content === undefined)
            throw new UsageError('set needs the data: an argument or --data-file');
          const stat = await ctx.withClient(cmd, (c) => c.setData(path, content, version));
          if (o.stat) ctx.out(formatStatText(stat));
        },
      );

    program
      .command('delete')
      .description('delete a node (it must have no children)')
      .argument('<path>')
      .option('-v, --version <n>', 'only if the data version is <n> (else BadVersion)', '-1')
      .action(async (path: string, o: { version: string }, cmd: Command) => {
        const version = parseIntOption(o.version, '--version');
        await ctx.withClient(cmd, (c) => c.delete(path, version));
      });

    program
      .command('deleteall')
      .description('delete a node and everything under it')
      .argument('<path>')
      .action(async (path: string, _o: unknown, cmd: Command) => {
        if (path === '/') throw new UsageError('refusing to delete everything under /');
        await ctx.withClient(cmd, async (c) => {
          const { levels } = await readSubtree(c, path);
          // Deepest level first: every node's children are deleted before the node itself,
          // and the server applies the pipelined deletes in this order.
          const ordered = levels.reverse().flat();
          await Promise.all(
            ordered.map((p) =>
              c.delete(p).catch((err: unknown) => {
                if (!(err instanceof KeeperError && err.code === ErrorCode.NONODE)) throw err;
              }),
            ),
          );
        });
      });

    program
      .command('tree')
      .description('print a subtree')
      .argument('[path]', 'root of the tree', '/')
      .option('--json', 'print {"<path>": [children], ...}')
      .action(async (path: string, o: { json?: boolean }, cmd: Command) => {
        const { childrenOf } = await ctx.withClient(cmd, (c) => readSubtree(c, path));
        if (o.json)
          ctx.out(
            JSON.stringify(
              Object.fromEntries([...childrenOf].map(([p, ch]) => [p, [...ch].sort()])),
            ),
          );
        else ctx.out(formatTree(path, childrenOf));
      });

    program
      .command('watch')
      .description(
        'print "<EventType> <path>" for every change at or under a path until interrupted',
      )
      .argument('<path>')
      .action(async (path: string, _o: unknown, cmd: Command) => {
        await ctx.withClient(cmd, (c) => watchUntilInterrupted(c, path, ctx));
      });
  },
};

/**
 * A persistent recursive watch (ZooKeeper 3.6+ addWatch) never needs re-arming, and the
 * client re-registers it after a reconnect. Events that happen while disconnected are lost
 * (persistent watches have no catch-up), so disconnects are reported on stderr.
 */
async function watchUntilInterrupted(
  client: CoordinatorClient,
  path: string,
  ctx: CliContext,
): Promise<void> {
  await client.addWatch(path, 'persistent_recursive', (event) =>
    ctx.out(`${event.type} ${event.path}`),
  );
  ctx.err(`Watching ${path} and its descendants (Ctrl-C to stop)`);
  await new Promise<void>((resolve, reject) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    client.on('disconnected', ({ reason }) =>
      ctx.err(`# disconnected (${reason}); reconnecting, events may be missed`),
    );
    client.on('connected', () => ctx.err('# reconnected'));
    client.once('expired', () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      reject(new KeeperError(ErrorCode.SESSIONEXPIRED, path));
    });
  });
}
