/**
 * `samsa topics create|list|describe|alter|delete`: kafka-topics.sh (and the topic half of
 * kafka-configs.sh) through the admin APIs (CreateTopics, Metadata, DescribeConfigs,
 * AlterConfigs, CreatePartitions, DeleteTopics), never through the coordinator directly.
 *
 *   create TOPIC [--partitions N] [--replication-factor R] [--config k=v ...]
 *   list
 *   describe [TOPIC...]      kafka-topics --describe's layout: a line per topic with its
 *                            overridden configs, a line per partition (leader, replicas, ISR,
 *                            offline replicas)
 *   alter TOPIC [--partitions N] [--config k=v ...] [--delete-config k ...]
 *   delete TOPIC...
 *
 * `alter --config`: kafkajs speaks AlterConfigs, which replaces a topic's whole set of
 * overrides (IncrementalAlterConfigs came later). So the current overrides are read first
 * and sent back with the changes: a config not named keeps its value, as with
 * `kafka-configs --alter --add-config`.
 */
import kafkajs, { type Admin } from 'kafkajs';
import type { Command } from 'commander';
import { bootstrapOption, collect, kafkaFor, keyValues, positiveInteger } from './kafka.js';

// kafkajs is CommonJS; Node's ESM loader only sees some of its exports by name.
const { ConfigResourceTypes, ConfigSource } = kafkajs;

interface Common {
  bootstrapServer: string;
}

async function withAdmin<T>(o: Common, run: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaFor(o.bootstrapServer, 'samsa-topics').admin();
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The topic's overrides (configs set on the topic itself, not inherited). */
async function topicOverrides(admin: Admin, topic: string): Promise<Map<string, string>> {
  const described = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    includeSynonyms: false,
  });
  const overrides = new Map<string, string>();
  for (const resource of described.resources) {
    for (const entry of resource.configEntries) {
      if (entry.configSource === ConfigSource.TOPIC_CONFIG) {
        overrides.set(entry.configName, entry.configValue);
      }
    }
  }
  return overrides;
}

export function describeLines(
  metadata: Awaited<ReturnType<Admin['fetchTopicMetadata']>>['topics'][number],
  overrides: ReadonlyMap<string, string>,
): string[] {
  const partitions = [...metadata.partitions].sort((a, b) => a.partitionId - b.partitionId);
  const configs = [...overrides].map(([k, v]) => `${k}=${v}`).join(',');
  const lines = [
    `Topic: ${metadata.name}\tPartitionCount: ${partitions.length}\t` +
      `ReplicationFactor: ${partitions[0]?.replicas.length ?? 0}\tConfigs: ${configs}`,
  ];
  for (const p of partitions) {
    let line =
      `\tTopic: ${metadata.name}\tPartition: ${p.partitionId}\tLeader: ` +
      `${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\t` +
      `Isr: ${p.isr.join(',')}`;
    if ((p.offlineReplicas ?? []).length > 0) line += `\tOffline: ${p.offlineReplicas!.join(',')}`;
    lines.push(line);
  }
  return lines;
}

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('create, list, describe, alter, delete');

  bootstrapOption(topics.command('create <topic>').description('create a topic'))
    .option('--partitions <n>', 'number of partitions', positiveInteger('--partitions'))
    .option(
      '--replication-factor <n>',
      'replicas per partition',
      positiveInteger('--replication-factor'),
    )
    .option('--config <key=value>', 'a topic config (repeatable)', collect, [])
    .action(
      (
        topic: string,
        o: Common & { partitions?: number; replicationFactor?: number; config: string[] },
      ) =>
        withAdmin(o, async (admin) => {
          // kafkajs answers false, not an error, for a topic that exists already.
          const created = await admin.createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic,
                numPartitions: o.partitions ?? -1,
                replicationFactor: o.replicationFactor ?? -1,
                configEntries: keyValues(o.config, '--config').map(([name, value]) => ({
                  name,
                  value,
                })),
              },
            ],
          });
          if (!created) throw new Error(`TOPIC_ALREADY_EXISTS: topic ${topic} already exists`);
          process.stdout.write(`Created topic ${topic}.\n`);
        }),
    );

  bootstrapOption(topics.command('list').description('list the topics')).action((o: Common) =>
    withAdmin(o, async (admin) => {
      for (const name of (await admin.listTopics()).sort()) process.stdout.write(`${name}\n`);
    }),
  );

  bootstrapOption(
    topics.command('describe [topics...]').description('partitions, replicas, ISR, configs'),
  ).action((names: string[], o: Common) =>
    withAdmin(o, async (admin) => {
      const wanted = names.length > 0 ? names : (await admin.listTopics()).sort();
      const metadata = await admin.fetchTopicMetadata({ topics: wanted });
      for (const topic of [...metadata.topics].sort((a, b) => a.name.localeCompare(b.name))) {
        const overrides = await topicOverrides(admin, topic.name);
        process.stdout.write(describeLines(topic, overrides).join('\n') + '\n');
      }
    }),
  );

  bootstrapOption(topics.command('alter <topic>').description('add partitions, change configs'))
    .option('--partitions <n>', 'new total number of partitions', positiveInteger('--partitions'))
    .option('--config <key=value>', 'set a topic config (repeatable)', collect, [])
    .option('--delete-config <key>', 'remove a topic config (repeatable)', collect, [])
    .action(
      (
        topic: string,
        o: Common & { partitions?: number; config: string[]; deleteConfig: string[] },
      ) =>
        withAdmin(o, async (admin) => {
          const set = keyValues(o.config, '--config');
          if (o.partitions === undefined && set.length === 0 && o.deleteConfig.length === 0) {
            throw new Error('nothing to alter: give --partitions, --config or --delete-config');
          }
          if (o.partitions !== undefined) {
            await admin.createPartitions({ topicPartitions: [{ topic, count: o.partitions }] });
            process.stdout.write(`Topic ${topic} now has ${o.partitions} partitions.\n`);
          }
          if (set.length > 0 || o.deleteConfig.length > 0) {
            const overrides = await topicOverrides(admin, topic);
            for (const [k, v] of set) overrides.set(k, v);
            for (const k of o.deleteConfig) overrides.delete(k);
            await admin.alterConfigs({
              validateOnly: false,
              resources: [
                {
                  type: ConfigResourceTypes.TOPIC,
                  name: topic,
                  configEntries: [...overrides].map(([name, value]) => ({ name, value })),
                },
              ],
            });
            process.stdout.write(`Updated the configs of ${topic}.\n`);
          }
        }),
    );

  bootstrapOption(topics.command('delete <topics...>').description('delete topics')).action(
    (names: string[], o: Common) =>
      withAdmin(o, async (admin) => {
        await admin.deleteTopics({ topics: names });
        for (const name of names) process.stdout.write(`Deleted topic ${name}.\n`);
      }),
  );
}
