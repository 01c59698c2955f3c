/**
 * `coordinator transactions ...`: what Kafka's kafka-transactions.sh shows, read from
 * `__transaction_state` over the Kafka protocol (src/kafka-admin/transactions-admin.ts
 * explains why: Kafka 2.8 has no API to list transactions):
 *
 *   transactions list [--json]             every transactional id: coordinator, producer id,
 *        state (TransactionalId Coordinator ProducerId TransactionState, as Kafka prints)
 *   transactions describe ID [--json]      one id: epoch, timeout, when its open transaction
 *        started, how long it has run, and its partitions
 */
import type { Command } from 'commander';
import type { TransactionDescription } from '../../src/kafka-admin/transactions-admin.js';
import type { CliContext, CommandModule } from './context.js';
import { table, withKafka } from './groups.js';

const admin = () => import('../../src/kafka-admin/transactions-admin.js');

const json = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

function describeText(t: TransactionDescription, nowMs: number): string {
  const open = t.transactionStartTimeMs >= 0;
  return table([
    [
      'CoordinatorId',
      'TransactionalId',
      'ProducerId',
      'ProducerEpoch',
      'TransactionState',
      'TransactionTimeoutMs',
      'CurrentTransactionStartTimeMs',
      'TransactionDurationMs',
      'TopicPartitions',
    ],
    [
      String(t.coordinatorId),
      t.transactionalId,
      String(t.producerId),
      String(t.producerEpoch),
      t.state,
      String(t.transactionTimeoutMs),
      open ? String(t.transactionStartTimeMs) : 'None',
      open ? String(nowMs - t.transactionStartTimeMs) : 'None',
      t.topicPartitions.map((p) => `${p.topic}-${p.partition}`).join(',') || 'None',
    ],
  ]);
}

export const transactionsCommands: CommandModule = {
  register(program: Command, ctx: CliContext): void {
    const transactions = program
      .command('transactions')
      .description(
        'transactional producers, from __transaction_state (like kafka-transactions.sh)',
      );

    transactions
      .command('list')
      .description('every transactional id, with its coordinator and state')
      .option('--json', 'print JSON')
      .action(async (o: { json?: boolean }, cmd: Command) => {
        const { listTransactions } = await admin();
        const all = await withKafka(ctx, cmd, listTransactions);
        if (o.json) ctx.out(json(all));
        else if (all.length === 0) ctx.out('no transactional ids');
        else
          ctx.out(
            table([
              ['TransactionalId', 'Coordinator', 'ProducerId', 'TransactionState'],
              ...all.map((t) => [
                t.transactionalId,
                String(t.coordinatorId),
                String(t.producerId),
                t.state,
              ]),
            ]),
          );
      });

    transactions
      .command('describe')
      .description('one transactional id: state, epoch, open transaction and its partitions')
      .argument('<transactional-id>')
      .option('--json', 'print JSON')
      .action(async (id: string, o: { json?: boolean }, cmd: Command) => {
        const { describeTransaction } = await admin();
        const found = await withKafka(ctx, cmd, (kafka) => describeTransaction(kafka, id));
        if (found === undefined)
          throw new Error(`transactional id ${id} is not known to any coordinator`);
        ctx.out(o.json ? json(found) : describeText(found, Date.now()));
      });
  },
};
